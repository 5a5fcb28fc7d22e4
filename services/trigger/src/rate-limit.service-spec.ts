import { startServiceInProcess, type InProcessService } from '@baton/service-kit/testing';
import { bearer, testApiKeysSetting } from '@baton/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aTriggerEvent } from './testing/trigger-event.fixture.js';
import { triggerService } from './trigger.service-definition.js';

describe('per-key rate limits on the trigger API (in-process transport, real Postgres)', () => {
  let service: InProcessService;
  const post = (key: string, role: 'publisher' | 'admin' = 'publisher') =>
    fetch(`${service.running.url}/v1/triggers`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(role) },
      body: JSON.stringify(aTriggerEvent(key)),
    });

  beforeAll(async () => {
    service = await startServiceInProcess(triggerService, {
      // Two changes at once, then one a minute: no test runs long enough to earn another.
      env: {
        BATON_API_KEYS: testApiKeysSetting(),
        BATON_RATE_LIMIT_PER_MINUTE: '1',
        BATON_RATE_LIMIT_BURST: '2',
      },
    });
  }, 120_000);
  afterAll(() => service?.close());

  it('answers a key over its limit 429 with Retry-After, and serves its reads and other keys', async () => {
    expect((await post('rl-1')).status).toBe(202);
    expect((await post('rl-2')).status).toBe(202);
    const over = await post('rl-3');
    expect(over.status).toBe(429);
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await over.json()).toMatchObject({ statusCode: 429, error: 'rate-limited' });
    // Nothing was started for the refused trigger.
    const [{ n }] = (await service.dataSource.query(
      `SELECT count(*)::int AS n FROM runs WHERE idempotency_key = 'rl-3'`,
    )) as Array<{ n: number }>;
    expect(n).toBe(0);
    const reads = await fetch(`${service.running.url}/v1/runs`, { headers: bearer('reviewer') });
    expect(reads.status).toBe(200);
    expect((await post('rl-4', 'admin')).status).toBe(202);
  });
});
