import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { TriggerException } from './trigger.exception.js';

/** Answers a refused trigger with its status, code and the fields at fault. */
@Catch(TriggerException)
export class TriggerExceptionFilter implements ExceptionFilter {
  catch(exception: TriggerException, host: ArgumentsHost) {
    const response = host
      .switchToHttp()
      .getResponse<{ status(code: number): { json(body: unknown): void } }>();
    response.status(exception.status).json({
      statusCode: exception.status,
      error: exception.code,
      message: exception.message,
      problems: exception.problems,
    });
  }
}
