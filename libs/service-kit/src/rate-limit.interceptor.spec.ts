import { HttpException, type CallHandler, type ExecutionContext } from '@nestjs/common';
import { of } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { RateLimitInterceptor } from './rate-limit.interceptor.js';

/** One request through the interceptor: its status (200 handled, or the refusal's) and Retry-After. */
function harness(perMinute: number, burst: number) {
  let clock = 0;
  const interceptor = new RateLimitInterceptor({ perMinute, burst }, () => clock);
  const next: CallHandler = { handle: () => of('handled') };
  return {
    advance: (ms: number) => (clock += ms),
    send(method: string, key: string | undefined) {
      const headers: Record<string, string> = {};
      const context = {
        getType: () => 'http',
        switchToHttp: () => ({
          getRequest: () => ({
            method,
            ...(key ? { principal: { name: key, role: 'publisher' } } : {}),
          }),
          getResponse: () => ({
            setHeader: (name: string, value: string) => (headers[name] = value),
          }),
        }),
      } as unknown as ExecutionContext;
      try {
        interceptor.intercept(context, next);
        return { status: 200, retryAfter: headers['Retry-After'] };
      } catch (error) {
        const refusal = error as HttpException;
        return {
          status: refusal.getStatus(),
          retryAfter: headers['Retry-After'],
          body: refusal.getResponse(),
        };
      }
    },
  };
}

describe(RateLimitInterceptor.name, () => {
  it('lets a key make its burst of changes, then answers 429 with Retry-After until a token is back', () => {
    const api = harness(60, 3); // one change a second on average, three at once
    expect([1, 2, 3].map(() => api.send('POST', 'ops').status)).toEqual([200, 200, 200]);
    expect(api.send('POST', 'ops')).toMatchObject({
      status: 429,
      retryAfter: '1',
      body: {
        statusCode: 429,
        error: 'rate-limited',
        message: 'key ops is over its limit of 60 changes a minute (burst 3); retry in 1 s',
      },
    });
    api.advance(1_000);
    expect(api.send('POST', 'ops').status).toBe(200);
    expect(api.send('POST', 'ops').status).toBe(429);
  });

  it('counts each key on its own, and never limits reads or requests without a key', () => {
    const api = harness(1, 1);
    expect(api.send('POST', 'a').status).toBe(200);
    expect(api.send('POST', 'a')).toMatchObject({ status: 429, retryAfter: '60' });
    expect(api.send('POST', 'b').status).toBe(200);
    expect(api.send('GET', 'a').status).toBe(200);
    expect(api.send('POST', undefined).status).toBe(200);
    expect(['PUT', 'PATCH', 'DELETE'].map((m) => api.send(m, 'a').status)).toEqual([429, 429, 429]);
  });

  it('is off at 0', () => {
    const api = harness(0, 1);
    expect([1, 2, 3, 4].map(() => api.send('POST', 'a').status)).toEqual([200, 200, 200, 200]);
  });
});
