import {
  BadRequestException,
  SetMetadata,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import type { Observable } from 'rxjs';
import { findShapeProblems, findUnstorableText } from '@baton/contracts';
import { errorBody } from './error-body.js';

const INPUT_ERROR_CODE = 'baton:input-error-code';

/**
 * The `error` code an endpoint's refused input gets from JsonInputInterceptor (its own, such as
 * `invalid-event`, so a client sees one code for every problem with the body); `invalid-body`
 * when none is set. On a handler or a controller.
 */
export const InputErrorCode = (code: string) => SetMetadata(INPUT_ERROR_CODE, code);

/**
 * Every service's first look at a request's JSON: a body or query that breaks the JSON limits
 * (nested more than 64 levels, a key over 256 characters) or holds text Postgres cannot store
 * (a NUL character, a lone surrogate) is refused with 400, every problem named by its path,
 * before any DTO class, pipe or handler walks it: class-transformer recurses without bound,
 * JSON.stringify overflows the stack on deep nesting, and a refused insert would be a 500.
 */
export class JsonInputInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const request = context.switchToHttp().getRequest<{ body?: unknown; query?: unknown }>();
    const code =
      (Reflect.getMetadata(INPUT_ERROR_CODE, context.getHandler()) as string | undefined) ??
      (Reflect.getMetadata(INPUT_ERROR_CODE, context.getClass()) as string | undefined);
    for (const [value, fallback] of [
      [request.body, 'invalid-body'],
      [request.query, 'invalid-query'],
    ] as const) {
      const shape = findShapeProblems(value);
      const problems = shape.length ? shape : findUnstorableText(value);
      if (problems.length)
        throw new BadRequestException(errorBody(400, code ?? fallback, problems[0]!, problems));
    }
    return next.handle();
  }
}
