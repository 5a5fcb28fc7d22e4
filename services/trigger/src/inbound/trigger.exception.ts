import { HttpStatus, Injectable } from '@nestjs/common';
import { CodedHttpException, ErrorMappingInterceptor } from '@baton/service-kit';
import { TriggerError, TriggerErrorCode } from '../domain/trigger-error.js';

const STATUS: Record<TriggerErrorCode, HttpStatus> = {
  [TriggerErrorCode.InvalidEvent]: HttpStatus.BAD_REQUEST,
  [TriggerErrorCode.InvalidQuery]: HttpStatus.BAD_REQUEST,
  [TriggerErrorCode.InvalidBody]: HttpStatus.BAD_REQUEST,
  [TriggerErrorCode.InvalidRunId]: HttpStatus.BAD_REQUEST,
  [TriggerErrorCode.InvalidVersion]: HttpStatus.BAD_REQUEST,
  [TriggerErrorCode.UnknownWorkflow]: HttpStatus.UNPROCESSABLE_ENTITY,
  [TriggerErrorCode.EventTypeNotAccepted]: HttpStatus.UNPROCESSABLE_ENTITY,
  [TriggerErrorCode.MissingData]: HttpStatus.UNPROCESSABLE_ENTITY,
  [TriggerErrorCode.InvalidDefinition]: HttpStatus.UNPROCESSABLE_ENTITY,
  [TriggerErrorCode.RunNotFound]: HttpStatus.NOT_FOUND,
  [TriggerErrorCode.WorkflowNotFound]: HttpStatus.NOT_FOUND,
  [TriggerErrorCode.BacktestNotFound]: HttpStatus.NOT_FOUND,
  [TriggerErrorCode.DeadLetterNotFound]: HttpStatus.NOT_FOUND,
  [TriggerErrorCode.IdempotencyKeyReused]: HttpStatus.CONFLICT,
  [TriggerErrorCode.DuplicateEvent]: HttpStatus.CONFLICT,
  [TriggerErrorCode.RunEnded]: HttpStatus.CONFLICT,
  [TriggerErrorCode.VersionPublished]: HttpStatus.CONFLICT,
  [TriggerErrorCode.PublishGateRequired]: HttpStatus.CONFLICT,
  [TriggerErrorCode.PublishGateFailed]: HttpStatus.CONFLICT,
  [TriggerErrorCode.CandidateSuperseded]: HttpStatus.CONFLICT,
  [TriggerErrorCode.DefinitionMismatch]: HttpStatus.CONFLICT,
};

/**
 * A TriggerError as an HTTP answer: the status follows the code, the body is every Baton
 * service's error shape (`error` is the code).
 */
export class TriggerException extends CodedHttpException<TriggerErrorCode> {
  constructor(error: TriggerError) {
    super(error, STATUS[error.code]);
    this.name = 'TriggerException';
  }
}

/** A refusal of the HTTP input itself, with every problem, the first as the message. */
export const refuse = (code: TriggerErrorCode, problems: string[]) =>
  new TriggerException(new TriggerError(code, problems[0]!, problems));

/** Answers the use cases' TriggerErrors as their HTTP status (on the HTTP controllers). */
@Injectable()
export class TriggerErrorMapping extends ErrorMappingInterceptor {
  protected map(error: unknown): unknown {
    return error instanceof TriggerError ? new TriggerException(error) : error;
  }
}
