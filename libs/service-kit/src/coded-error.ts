import {
  HttpException,
  type CallHandler,
  type ExecutionContext,
  type HttpStatus,
  type NestInterceptor,
} from '@nestjs/common';
import { catchError, throwError, type Observable } from 'rxjs';
import { errorBody } from './error-body.js';

/**
 * A use case's refusal, by code; `problems` name the offending fields (or hold the message
 * alone). It knows nothing of HTTP: how a caller is answered is the inbound side's business.
 * `extensions` are members of the answer beside the standard ones (RFC 9457), such as the
 * report of a failed publish gate.
 */
export class CodedError<C extends string = string> extends Error {
  constructor(
    readonly code: C,
    message: string,
    readonly problems: string[] = [message],
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** A CodedError as an HTTP answer: `status`, and every Baton service's error body. */
export class CodedHttpException<C extends string = string> extends HttpException {
  readonly code: C;
  /** The answer's members beside the standard ones. */
  readonly extensions: Record<string, unknown>;

  constructor(error: CodedError<C>, status: HttpStatus) {
    super(
      {
        ...error.extensions,
        ...errorBody(status, error.code, error.message, error.problems),
      },
      status,
      { cause: error },
    );
    this.code = error.code;
    this.extensions = error.extensions;
  }
}

/**
 * Turns what a controller's use cases throw into its HTTP answer (`map`), passing anything
 * else through; a service's subclass names its errors.
 */
export abstract class ErrorMappingInterceptor implements NestInterceptor {
  protected abstract map(error: unknown): unknown;

  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(catchError((error: unknown) => throwError(() => this.map(error))));
  }
}
