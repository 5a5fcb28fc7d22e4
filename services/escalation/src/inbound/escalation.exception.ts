import { HttpStatus, Injectable } from '@nestjs/common';
import { CodedHttpException, ErrorMappingInterceptor } from '@baton/service-kit';
import { EscalationError, EscalationErrorCode } from '../domain/escalation-error.js';

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
 * An EscalationError as an HTTP answer: the status follows the code, the body is every Baton
 * service's error shape (`error` is the code).
 */
export class EscalationException extends CodedHttpException<EscalationErrorCode> {
  constructor(error: EscalationError) {
    super(error, STATUS[error.code]);
    this.name = 'EscalationException';
  }
}

/** Answers the use cases' EscalationErrors as their HTTP status (on the HTTP controllers). */
@Injectable()
export class EscalationErrorMapping extends ErrorMappingInterceptor {
  protected map(error: unknown): unknown {
    return error instanceof EscalationError ? new EscalationException(error) : error;
  }
}
