import { HttpException, HttpStatus } from '@nestjs/common';
import { errorBody } from '@baton/service-kit';

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
}

function statusOf(code: TriggerErrorCode): HttpStatus {
  switch (code) {
    case TriggerErrorCode.InvalidEvent:
    case TriggerErrorCode.InvalidQuery:
    case TriggerErrorCode.InvalidBody:
    case TriggerErrorCode.InvalidRunId:
    case TriggerErrorCode.InvalidVersion:
      return HttpStatus.BAD_REQUEST;
    case TriggerErrorCode.UnknownWorkflow:
    case TriggerErrorCode.EventTypeNotAccepted:
    case TriggerErrorCode.MissingData:
    case TriggerErrorCode.InvalidDefinition:
      return HttpStatus.UNPROCESSABLE_ENTITY;
    case TriggerErrorCode.RunNotFound:
    case TriggerErrorCode.WorkflowNotFound:
      return HttpStatus.NOT_FOUND;
    case TriggerErrorCode.IdempotencyKeyReused:
    case TriggerErrorCode.DuplicateEvent:
    case TriggerErrorCode.RunEnded:
    case TriggerErrorCode.VersionPublished:
      return HttpStatus.CONFLICT;
  }
}

/**
 * Why a trigger was refused or a run not found; `problems` name the fields. Over HTTP the
 * status follows the code and the body is every Baton service's error shape; on the ingress
 * topic the event is dead-lettered with the code and the problems.
 */
export class TriggerException extends HttpException {
  constructor(
    readonly code: TriggerErrorCode,
    message: string,
    readonly problems: string[] = [message],
  ) {
    super(errorBody(statusOf(code), code, message, problems), statusOf(code));
  }
}
