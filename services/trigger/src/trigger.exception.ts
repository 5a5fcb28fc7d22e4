import { HttpStatus } from '@nestjs/common';

export enum TriggerErrorCode {
  InvalidEvent = 'invalid-event',
  UnknownWorkflow = 'unknown-workflow',
  EventTypeNotAccepted = 'event-type-not-accepted',
  MissingData = 'missing-data',
  RunNotFound = 'run-not-found',
  RunEnded = 'run-ended',
  InvalidDefinition = 'invalid-definition',
  VersionPublished = 'version-published',
  WorkflowNotFound = 'workflow-not-found',
}

/** Why a trigger was refused or a run not found; `problems` name the fields. */
export class TriggerException extends Error {
  constructor(
    readonly code: TriggerErrorCode,
    message: string,
    readonly problems: string[] = [message],
  ) {
    super(message);
    this.name = 'TriggerException';
  }

  get status(): HttpStatus {
    switch (this.code) {
      case TriggerErrorCode.InvalidEvent:
        return HttpStatus.BAD_REQUEST;
      case TriggerErrorCode.UnknownWorkflow:
      case TriggerErrorCode.EventTypeNotAccepted:
      case TriggerErrorCode.MissingData:
      case TriggerErrorCode.InvalidDefinition:
        return HttpStatus.UNPROCESSABLE_ENTITY;
      case TriggerErrorCode.RunNotFound:
      case TriggerErrorCode.WorkflowNotFound:
        return HttpStatus.NOT_FOUND;
      case TriggerErrorCode.RunEnded:
      case TriggerErrorCode.VersionPublished:
        return HttpStatus.CONFLICT;
    }
  }
}
