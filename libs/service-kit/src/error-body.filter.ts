import { Catch, type ArgumentsHost, type ExceptionFilter, type HttpServer } from '@nestjs/common';
import type { Logger } from '@baton/telemetry';
import { throwError, type Observable } from 'rxjs';
import { UNAVAILABLE_RETRY_AFTER_S, errorBodyOf } from './error-body.js';

/**
 * The one exception filter of every Baton service (installed by runService).
 *
 * HTTP: every error is answered in the standard shape (`errorBodyOf`): the service's own
 * exceptions, Nest's 401/403/404, the body parser's malformed JSON and over-limit bodies.
 * A 5xx is answered generically and logged with the error, which the answer never carries;
 * an unavailable database is a 503 `unavailable` with `Retry-After`. The logged URL has no
 * query string: query parameters can hold customer data (a search, an e-mail address).
 *
 * Message handlers: Nest would turn an error into `{ status: 'error', message }`, which would
 * hide a `PermanentFailure` from the messaging pipeline (and the real error from the
 * dead-letter reason), so the error is handed on untouched.
 */
@Catch()
export class ErrorBodyFilter implements ExceptionFilter {
  constructor(
    private readonly http: HttpServer,
    private readonly logger: Logger,
  ) {}

  catch(exception: unknown, host: ArgumentsHost): Observable<never> | void {
    if (host.getType() === 'rpc') return throwError(() => exception);
    const context = host.switchToHttp();
    const request: unknown = context.getRequest();
    const response: unknown = context.getResponse();
    const body = errorBodyOf(exception);
    if (body.statusCode >= 500) {
      this.logger.error(
        {
          err: exception,
          method: this.http.getRequestMethod?.(request),
          url: pathOf(this.http.getRequestUrl?.(request)),
          statusCode: body.statusCode,
        },
        'HTTP request failed',
      );
    }
    if (this.http.isHeadersSent(response)) {
      this.http.end(response);
      return;
    }
    if (body.error === 'unavailable')
      this.http.setHeader(response, 'Retry-After', String(UNAVAILABLE_RETRY_AFTER_S));
    this.http.reply(response, body, body.statusCode);
  }
}

/** The URL's path, without its query string. */
function pathOf(url: unknown): string | undefined {
  return typeof url === 'string' ? url.split('?')[0] : undefined;
}
