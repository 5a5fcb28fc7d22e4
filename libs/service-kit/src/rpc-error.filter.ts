import { Catch, type ArgumentsHost } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import { throwError, type Observable } from 'rxjs';

/**
 * Nest turns an error thrown by a message handler into `{ status: 'error', message }`, which
 * would hide a `PermanentFailure` from the messaging pipeline (and the real error from the
 * dead-letter reason). For message handlers this filter hands the error on untouched; HTTP
 * errors get Nest's usual treatment.
 */
@Catch()
export class RpcErrorPassThroughFilter extends BaseExceptionFilter {
  override catch(exception: unknown, host: ArgumentsHost): Observable<never> | void {
    if (host.getType() === 'rpc') return throwError(() => exception);
    return super.catch(exception, host);
  }
}
