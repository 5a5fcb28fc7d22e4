import fc from 'fast-check';
import { hostileJson, hostileKeys, hostileText } from '@baton/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEYS, startEscalation, type EscalationFixture } from './testing/escalation.fixture.js';

const SEED = Number(process.env['BATON_PROPERTY_SEED'] ?? 20261204);
const REQUESTS = 3_000;

const keys = hostileKeys(['args', 'amount', 'note', 'tool']);
const text = hostileText;
const json = hostileJson(keys);
const deep = fc
  .integer({ min: 60, max: 5_000 })
  .map((depth) => `${'{"args":'.repeat(depth)}{}${'}'.repeat(depth)}`);
/** A verdict body: an edit of the proposal's args with hostile values, or anything at all. */
const body = fc.oneof(
  fc
    .tuple(fc.dictionary(keys, json, { maxKeys: 5 }), fc.option(text))
    .map(([args, note]) => JSON.stringify({ args, ...(note === null ? {} : { note }) })),
  fc.dictionary(keys, json, { maxKeys: 5 }).map((value) => JSON.stringify(value)),
  json.map((value) => JSON.stringify(value)),
  deep,
  fc.string({ maxLength: 40, unit: 'binary' }),
);
const action = fc.constantFrom('approve', 'reject', 'claim', 'release');

describe('the review API under 3,000 hostile requests (in-process transport, real Postgres)', () => {
  let fixture: EscalationFixture;
  let taskId: string;

  beforeAll(async () => {
    // One key sends them all, as fast as it can: the per-key rate limit is another test's.
    fixture = await startEscalation({ env: { BATON_RATE_LIMIT_PER_MINUTE: '0' } });
    taskId = await fixture.taskIdOf(await fixture.escalate());
  }, 120_000);
  afterAll(() => fixture?.close());

  it('answers every one below 500, on a real open task and on ids that are not', async () => {
    const failures: Array<{ path: string; body: string; status: number; answer: string }> = [];
    const requests = fc.sample(
      fc.tuple(
        fc.oneof(
          { weight: 3, arbitrary: fc.constant<string | null>(null) },
          { weight: 1, arbitrary: fc.string({ maxLength: 40, unit: 'binary' }) },
        ),
        action,
        body,
      ),
      { numRuns: REQUESTS, seed: SEED },
    );
    const send = async ([id, verb, text]: [string | null, string, string]) => {
      const path = `/v1/tasks/${encodeURIComponent(id ?? taskId)}/${verb}`;
      const response = await fetch(`${fixture.service.url}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${KEYS.reviewer}`, 'content-type': 'application/json' },
        body: text,
      });
      const answer = await response.text();
      if (response.status >= 500)
        failures.push({ path, body: text.slice(0, 200), status: response.status, answer });
    };
    for (let i = 0; i < requests.length; i += 8)
      await Promise.all(requests.slice(i, i + 8).map(send));
    expect(failures.slice(0, 5), `seed ${SEED}`).toEqual([]);

    const listed = await fixture.api('GET', '/v1/tasks', KEYS.reviewer);
    expect(listed.status).toBe(200);
  }, 600_000);
});
