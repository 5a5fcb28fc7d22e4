import { describe, expect, it, vi } from 'vitest';
import { deliverWebhook, type DeliveryOptions } from './webhook-delivery.js';

/** A receiver that answers these statuses in turn (a thrown Error: no answer). */
function receiver(...answers: Array<number | Error>) {
  const calls: Array<{ url: string; init: RequestInit }> = [];
  const fetch = vi.fn(async (url: string | URL | Request, init?: RequestInit) => {
    calls.push({ url: String(url), init: init! });
    const answer = answers[Math.min(calls.length - 1, answers.length - 1)]!;
    if (answer instanceof Error) throw answer;
    return new Response(null, { status: answer });
  });
  return { fetch: fetch as unknown as typeof globalThis.fetch, calls };
}

const pauses: number[] = [];
const options = (fetch: typeof globalThis.fetch): DeliveryOptions => ({
  timeoutMs: 1_000,
  attempts: 3,
  retryDelayMs: 100,
  headers: { 'x-baton-notification-id': 'n-1' },
  fetch,
  sleep: async (ms) => void pauses.push(ms),
});

describe(deliverWebhook.name, () => {
  it('POSTs the JSON once when the receiver answers 2xx', async () => {
    const { fetch, calls } = receiver(204);
    const outcome = await deliverWebhook('https://h.example/x', { a: 1 }, options(fetch));
    expect(outcome).toEqual({ status: 'delivered', attempts: 1, httpStatus: 204, error: null });
    expect(calls).toHaveLength(1);
    expect(calls[0]!.init).toMatchObject({
      method: 'POST',
      body: '{"a":1}',
      redirect: 'manual',
      headers: { 'content-type': 'application/json', 'x-baton-notification-id': 'n-1' },
    });
    expect(calls[0]!.init.signal).toBeInstanceOf(AbortSignal);
  });

  it('tries again after 5xx, 429 and network errors, with growing pauses, up to the attempts', async () => {
    pauses.length = 0;
    const { fetch, calls } = receiver(503, new TypeError('fetch failed'), 200);
    expect(await deliverWebhook('https://h.example/x', {}, options(fetch))).toEqual({
      status: 'delivered',
      attempts: 3,
      httpStatus: 200,
      error: null,
    });
    expect(calls).toHaveLength(3);
    expect(pauses).toEqual([100, 200]);

    const failing = receiver(429, 500, 502);
    expect(await deliverWebhook('https://h.example/x', {}, options(failing.fetch))).toEqual({
      status: 'failed',
      attempts: 3,
      httpStatus: 502,
      error: 'HTTP 502',
    });
  });

  it('gives up at once on another 4xx or a redirect, which are not followed', async () => {
    const rejected = receiver(404);
    expect(await deliverWebhook('https://h.example/x', {}, options(rejected.fetch))).toEqual({
      status: 'failed',
      attempts: 1,
      httpStatus: 404,
      error: 'HTTP 404',
    });
    const moved = receiver(302);
    expect(await deliverWebhook('https://h.example/x', {}, options(moved.fetch))).toMatchObject({
      attempts: 1,
      error: 'HTTP 302: redirects are not followed',
    });
  });

  it('says a timeout was one, and never throws', async () => {
    const timeout = new DOMException('The operation was aborted due to timeout', 'TimeoutError');
    const { fetch } = receiver(timeout as unknown as Error);
    expect(await deliverWebhook('https://h.example/x', {}, options(fetch))).toEqual({
      status: 'failed',
      attempts: 3,
      httpStatus: null,
      error: 'no answer within 1000 ms',
    });
  });
});
