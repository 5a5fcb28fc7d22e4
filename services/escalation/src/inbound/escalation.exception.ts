import {
  HttpException,
  HttpStatus,
  Injectable,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { catchError, throwError, type Observable } from 'rxjs';
import { errorBody } from '@baton/service-kit';
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
export class EscalationException extends HttpException {
  readonly code: EscalationErrorCode;

  constructor(error: EscalationError) {
    const status = STATUS[error.code];
    super(errorBody(status, error.code, error.message, error.problems), status, { cause: error });
    this.code = error.code;
    this.name = 'EscalationException';
  }
}

/** Answers the use cases' EscalationErrors as their HTTP status (on the HTTP controllers). */
@Injectable()
export class EscalationErrorMapping implements NestInterceptor {
  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next
      .handle()
      .pipe(
        catchError((error: unknown) =>
          throwError(() =>
            error instanceof EscalationError ? new EscalationException(error) : error,
          ),
        ),
      );
  }
}
