import {
  HttpException,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import type { Observable } from 'rxjs';
import type { Principal } from './auth.js';
import { errorBody } from './error-body.js';

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export interface RateLimit {
  /** Requests each API key may make per minute, on average; 0: no limit. */
  perMinute: number;
  /** Requests a key may make at once before the average applies (the bucket's size). */
  burst: number;
}

/**
 * Per-key limits on every mutating endpoint (a token bucket per API key, per instance): a key
 * over its limit gets 429 `rate-limited` with `Retry-After`, and other keys are not slowed. Reads
 * and health checks are not limited. Runs after the API key guard, so it knows the key; an
 * endpoint without keys has nothing to count against.
 */
export class RateLimitInterceptor implements NestInterceptor {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly limit: RateLimit,
    private readonly now: () => number = Date.now,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (this.limit.perMinute > 0 && context.getType() === 'http') {
      const http = context.switchToHttp();
      const request = http.getRequest<{ method: string; principal?: Principal }>();
      if (request.principal && MUTATING.has(request.method)) {
        const waitS = this.take(request.principal.name);
        if (waitS > 0) {
          http
            .getResponse<{ setHeader(name: string, value: string): void }>()
            .setHeader('Retry-After', String(waitS));
          throw new HttpException(
            errorBody(
              429,
              'rate-limited',
              `key ${request.principal.name} is over its limit of ${this.limit.perMinute} changes a minute (burst ${this.limit.burst}); retry in ${waitS} s`,
            ),
            429,
          );
        }
      }
    }
    return next.handle();
  }

  /** Takes a token for `key`; 0 when one was there, else whole seconds until one is. */
  private take(key: string): number {
    const now = this.now();
    const perMs = this.limit.perMinute / 60_000;
    const bucket = this.buckets.get(key) ?? { tokens: this.limit.burst, at: now };
    bucket.tokens = Math.min(this.limit.burst, bucket.tokens + (now - bucket.at) * perMs);
    bucket.at = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / perMs / 1000));
  }
}
