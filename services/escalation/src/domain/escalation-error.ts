import { CodedError } from '@baton/service-kit';

export enum EscalationErrorCode {
  TaskNotFound = 'task-not-found',
  TaskNotOpen = 'task-not-open',
  /** Another reviewer holds a live claim on the task. */
  TaskClaimed = 'task-claimed',
  /** A list that needs a filter got none. */
  FilterRequired = 'filter-required',
  ToolRequired = 'tool-required',
  ToolMismatch = 'tool-mismatch',
  ToolNotGranted = 'tool-not-granted',
  /** The approved action does not pass the workflow's gate or its effect limits. */
  ProposalRefused = 'proposal-refused',
}

/**
 * Why a task could not be found or decided, by code; `problems` has one line per offending
 * field (or the message alone). What a caller is answered is the inbound side's business
 * (inbound/escalation.exception.ts maps the code to an HTTP status).
 */
export class EscalationError extends CodedError<EscalationErrorCode> {
  override name = 'EscalationError';
}
