import { BadRequestException } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { JsonShapePipe } from './json-shape.pipe.js';

const pipe = new JsonShapePipe();
const body = { type: 'body' as const };

function refusal(value: unknown, metadata: { type: 'body' | 'query' | 'param' } = body) {
  try {
    pipe.transform(value, metadata);
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(BadRequestException);
    return (error as BadRequestException).getResponse();
  }
}

describe(JsonShapePipe.name, () => {
  it('passes a body within the limits, and any key name, through unchanged', () => {
    const value = { args: { constructor: 'x', __proto__: 1, amount: 5 } };
    expect(pipe.transform(value, body)).toBe(value);
  });

  it('refuses deep nesting, long keys and unstorable text with 400 invalid-body naming where', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 10_000; i++) deep = [deep];
    expect(refusal({ args: deep })).toMatchObject({
      statusCode: 400,
      error: 'invalid-body',
      problems: [expect.stringMatching(/^args\.0\.0.*: nested more than 64 levels deep/)],
    });
    expect(refusal({ note: 'a\u0000b' })).toMatchObject({
      error: 'invalid-body',
      problems: ['note: contains a NUL character (U+0000), which cannot be stored'],
    });
    expect(refusal({ ['k'.repeat(257)]: 1 }, { type: 'query' })).toMatchObject({
      error: 'invalid-query',
    });
  });

  it('leaves route parameters to their own pipes', () => {
    expect(refusal('a\u0000b', { type: 'param' })).toBeUndefined();
  });
});
