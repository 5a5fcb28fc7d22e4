import { BadRequestException, type CallHandler, type ExecutionContext } from '@nestjs/common';
import { of } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { InputErrorCode, JsonInputInterceptor } from './json-input.interceptor.js';

class Endpoints {
  plain() {}
  @InputErrorCode('invalid-event')
  trigger() {}
}

function refusal(request: { body?: unknown; query?: unknown }, handler: keyof Endpoints = 'plain') {
  const context = {
    getType: () => 'http',
    getHandler: () => Endpoints.prototype[handler],
    getClass: () => Endpoints,
    switchToHttp: () => ({ getRequest: () => request }),
  } as unknown as ExecutionContext;
  const next: CallHandler = { handle: () => of('handled') };
  try {
    new JsonInputInterceptor().intercept(context, next);
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(BadRequestException);
    return (error as BadRequestException).getResponse();
  }
}

describe(JsonInputInterceptor.name, () => {
  it('lets a body within the limits through, any key name included', () => {
    expect(refusal({ body: { args: { constructor: 'x', amount: 5 } }, query: {} })).toBeUndefined();
  });

  it('refuses deep nesting, long keys and unstorable text with 400, naming where', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 10_000; i++) deep = [deep];
    expect(refusal({ body: { args: deep } })).toMatchObject({
      statusCode: 400,
      error: 'invalid-body',
      problems: [expect.stringMatching(/^args\.0\.0.*: nested more than 64 levels deep/)],
    });
    expect(refusal({ body: { note: 'a\u0000b' } })).toMatchObject({
      error: 'invalid-body',
      problems: ['note: contains a NUL character (U+0000), which cannot be stored'],
    });
    expect(refusal({ query: { ['k'.repeat(257)]: '1' } })).toMatchObject({
      error: 'invalid-query',
    });
  });

  it("answers with the endpoint's own code where it has one", () => {
    expect(refusal({ body: { data: { message: '\u0000' } } }, 'trigger')).toMatchObject({
      error: 'invalid-event',
      message: 'data.message: contains a NUL character (U+0000), which cannot be stored',
    });
  });
});
