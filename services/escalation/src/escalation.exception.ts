import { HttpException, HttpStatus } from '@nestjs/common';
import { errorBody } from '@baton/service-kit';

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

const STATUS: Record<EscalationErrorCode, HttpStatus> = {
  [EscalationErrorCode.TaskNotFound]: HttpStatus.NOT_FOUND,
  [EscalationErrorCode.TaskNotOpen]: HttpStatus.CONFLICT,
  [EscalationErrorCode.TaskClaimed]: HttpStatus.CONFLICT,
  [EscalationErrorCode.FilterRequired]: HttpStatus.BAD_REQUEST,
  [EscalationErrorCode.ToolRequired]: HttpStatus.BAD_REQUEST,
  [EscalationErrorCode.ToolMismatch]: HttpStatus.BAD_REQUEST,
  [EscalationErrorCode.ToolNotGranted]: HttpStatus.UNPROCESSABLE_ENTITY,
  [EscalationErrorCode.ProposalRefused]: HttpStatus.UNPROCESSABLE_ENTITY,
};

/**
 * Why a task could not be found or decided; the HTTP status follows the code, the body is
 * every Baton service's error shape (`error` is the code).
 */
export class EscalationException extends HttpException {
  constructor(
    readonly code: EscalationErrorCode,
    message: string,
    readonly problems: string[] = [message],
  ) {
    super(errorBody(STATUS[code], code, message, problems), STATUS[code]);
    this.name = 'EscalationException';
  }
}
