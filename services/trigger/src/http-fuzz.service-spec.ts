import fc from 'fast-check';
import { TRIGGER_EVENT_FIELDS } from '@baton/contracts';
import { startServiceInProcess, type InProcessService } from '@baton/service-kit/testing';
import { bearer, hostileJson, hostileKeys, hostileText, testApiKeysSetting } from '@baton/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aTriggerEvent } from './testing/trigger-event.fixture.js';
import { triggerService } from './trigger.service-definition.js';

const SEED = Number(process.env['BATON_PROPERTY_SEED'] ?? 20261204);
const REQUESTS = 10_000;

const keys = hostileKeys(['data', 'schemaVersion']);
const text = hostileText;
const json = hostileJson(keys);

/** A JSON text nested `depth` levels (`[[[…]]]` or `{"a":{"a":…}}`). */
const nestedText = fc
  .tuple(fc.integer({ min: 30, max: 5_000 }), fc.boolean())
  .map(([depth, objects]) =>
    objects
      ? `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`
      : `${'['.repeat(depth)}${']'.repeat(depth)}`,
  );

/** A trigger event with one field replaced by something hostile, or hostile data. */
const hostileEvent = fc.oneof(
  fc
    .tuple(fc.constantFrom(...TRIGGER_EVENT_FIELDS), json)
    .map(([field, value]) => JSON.stringify({ ...aTriggerEvent('fuzz'), [field]: value })),
  fc
    .tuple(fc.dictionary(keys, json, { maxKeys: 6 }), fc.string({ maxLength: 200 }))
    .map(([data, key]) => JSON.stringify(aTriggerEvent(`fuzz-${key}`, { data }))),
  fc.dictionary(keys, json, { maxKeys: 8 }).map((body) => JSON.stringify(body)),
  json.map((body) => JSON.stringify(body)),
  nestedText,
  nestedText.map((nested) =>
    JSON.stringify(aTriggerEvent('fuzz-deep')).replace('"data":{', `"data":{"deep":${nested},`),
  ),
  fc.string({ maxLength: 60, unit: 'binary' }), // not JSON at all
);

type Request = { method: string; path: string; body?: string; headers?: Record<string, string> };

const requests: fc.Arbitrary<Request> = fc.oneof(
  {
    weight: 6,
    arbitrary: hostileEvent.map((body) => ({ method: 'POST', path: '/v1/triggers', body })),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.string({ maxLength: 40, unit: 'binary' }), hostileEvent)
      .map(([id, body]) => ({
        method: 'POST',
        path: `/v1/runs/${encodeURIComponent(id)}/cancel`,
        body,
        headers: bearer('reviewer'),
      })),
  },
  {
    weight: 1,
    arbitrary: fc
      .dictionary(
        fc.constantFrom('status', 'workflow', 'version', 'tenant', 'limit', 'cursor', 'since', 'x'),
        fc.oneof(text, fc.integer().map(String)),
        { maxKeys: 4 },
      )
      .map((query) => ({
        method: 'GET',
        path: `/v1/runs?${new URLSearchParams(query).toString()}`,
        headers: bearer('reviewer'),
      })),
  },
  {
    weight: 1,
    arbitrary: fc.string({ maxLength: 60, unit: 'binary' }).map((id) => ({
      method: 'GET',
      path: `/v1/runs/${encodeURIComponent(id)}`,
      headers: bearer('reviewer'),
    })),
  },
  {
    weight: 1,
    arbitrary: hostileEvent.map((body) => ({
      method: 'POST',
      path: '/v1/workflows',
      body,
      headers: bearer('admin'),
    })),
  },
);

describe('the trigger API under 10,000 hostile requests (in-process transport, real Postgres)', () => {
  let service: InProcessService;

  beforeAll(async () => {
    service = await startServiceInProcess(triggerService, {
      // One key sends them all, as fast as it can: the per-key rate limit is another test's.
      env: { BATON_API_KEYS: testApiKeysSetting(), BATON_RATE_LIMIT_PER_MINUTE: '0' },
    });
  }, 120_000);
  afterAll(() => service?.close());

  it('answers every one below 500, in the documented error shape, and still starts a valid run afterwards', async () => {
    const statuses = new Map<number, number>();
    const failures: Array<{ request: Request; status: number; body: string }> = [];
    const send = async (request: Request) => {
      const response = await fetch(`${service.running.url}${request.path}`, {
        method: request.method,
        headers: { 'content-type': 'application/json', ...bearer('publisher'), ...request.headers },
        ...(request.body === undefined ? {} : { body: request.body }),
      });
      const body = await response.text();
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      if (response.status >= 500) failures.push({ request, status: response.status, body });
      else if (response.status >= 400)
        expect(JSON.parse(body)).toMatchObject({
          statusCode: response.status,
          error: expect.any(String),
        });
    };
    // Sampled up front from the seed, then sent eight at a time.
    const sample = fc.sample(requests, { numRuns: REQUESTS, seed: SEED });
    for (let i = 0; i < sample.length; i += 8) await Promise.all(sample.slice(i, i + 8).map(send));

    expect(failures.slice(0, 5), `seed ${SEED}`).toEqual([]);
    expect([...statuses.values()].reduce((a, b) => a + b, 0)).toBe(REQUESTS);
    // Most hostile requests are refused; some are valid events (any data is data).
    expect(statuses.get(400) ?? 0).toBeGreaterThan(REQUESTS / 4);

    const after = await fetch(`${service.running.url}/v1/triggers`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer('publisher') },
      body: JSON.stringify(aTriggerEvent('fuzz-after')),
    });
    expect(after.status).toBe(202);
  }, 600_000);
});
