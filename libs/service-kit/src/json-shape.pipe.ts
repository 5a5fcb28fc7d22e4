import { BadRequestException, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import { findShapeProblems, findUnstorableText } from '@baton/contracts';
import { errorBody } from './error-body.js';

/**
 * Every service's first pipe: a request body (or query) that breaks the JSON limits — nested
 * deeper than 64 levels, a key longer than 256 characters — or holds text Postgres cannot
 * store (a NUL character, a lone surrogate) is refused with 400 `invalid-body` (`invalid-query`)
 * naming where, before any DTO class or handler walks it: class-transformer recurses without
 * bound, JSON.stringify overflows the stack on deep nesting, and a failed insert is a 500.
 */
export class JsonShapePipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type !== 'body' && metadata.type !== 'query') return value;
    const shape = findShapeProblems(value);
    const problems = shape.length ? shape : findUnstorableText(value);
    if (problems.length === 0) return value;
    const code = metadata.type === 'body' ? 'invalid-body' : 'invalid-query';
    throw new BadRequestException(errorBody(400, code, problems[0]!, problems));
  }
}
