import { CodedError } from '@baton/service-kit';

export enum TriggerErrorCode {
  InvalidEvent = 'invalid-event',
  InvalidQuery = 'invalid-query',
  InvalidBody = 'invalid-body',
  InvalidRunId = 'invalid-run-id',
  InvalidVersion = 'invalid-version',
  UnknownWorkflow = 'unknown-workflow',
  EventTypeNotAccepted = 'event-type-not-accepted',
  MissingData = 'missing-data',
  IdempotencyKeyReused = 'idempotency-key-reused',
  /** The same business event (trigger.dedup.key) within the window, and the workflow refuses it. */
  DuplicateEvent = 'duplicate-event',
  RunNotFound = 'run-not-found',
  RunEnded = 'run-ended',
  InvalidDefinition = 'invalid-definition',
  VersionPublished = 'version-published',
  WorkflowNotFound = 'workflow-not-found',
  BacktestNotFound = 'backtest-not-found',
  DeadLetterNotFound = 'dead-letter-not-found',
  /** A definition with a publish gate, published live over a live version: publish a candidate. */
  PublishGateRequired = 'publish-gate-required',
  /** A candidate's publish gate is not met (the answer holds the gate report). */
  PublishGateFailed = 'publish-gate-failed',
  /** A candidate below the live version: promoting it would take the workflow back. */
  CandidateSuperseded = 'candidate-superseded',
  /** Case results for other content than the published version's (the digests differ). */
  DefinitionMismatch = 'definition-mismatch',
}

/**
 * Why a trigger was refused, a run not found or a workflow not published, by code; `problems`
 * name the fields (or hold the message alone). What a caller is answered is the inbound side's
 * business: over HTTP a status follows the code (inbound/trigger.exception.ts), on the
 * ingress topic the event is dead-lettered with the code and the problems.
 */
export class TriggerError extends CodedError<TriggerErrorCode> {
  override name = 'TriggerError';
}
