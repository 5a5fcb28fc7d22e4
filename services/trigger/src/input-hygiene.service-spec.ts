import { uuidv7, type StepEnvelope } from '@baton/contracts';
import type { InboundRecord } from '@baton/messaging';
import { startServiceInProcess, type InProcessService } from '@baton/service-kit/testing';
import { bearer, expectEventually, testApiKeysSetting } from '@baton/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deadLettersOf, sendToIngress } from './testing/ingress.fixture.js';
import { aTriggerEvent, postTrigger } from './testing/trigger-event.fixture.js';
import { triggerService } from './trigger.service-definition.js';

const event = aTriggerEvent;
/** What every Baton error answer looks like (docs/http-api.md#errors). */
const errorShape = {
  statusCode: expect.any(Number),
  error: expect.stringMatching(/^[a-z]+(-[a-z]+)*$/),
  message: expect.any(String),
  problems: expect.any(Array),
};

describe('trigger input hygiene (in-process transport, real Postgres)', () => {
  let service: InProcessService;
  let contextSteps: () => Array<StepEnvelope<'context'>>;
  let deadLetters: () => InboundRecord[];
  const deadLetterOf = async (key: string) => {
    await expectEventually(() => expect(deadLetters().map((record) => record.key)).toContain(key));
    return deadLetters().find((record) => record.key === key)!;
  };
  const post = (body: unknown) => postTrigger(service.running.url, body);
  const postText = (text: string, headers: Record<string, string> = bearer('publisher')) =>
    fetch(`${service.running.url}/v1/triggers`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: text,
    });
  const answer = async (response: Response) => ({
    status: response.status,
    body: (await response.json()) as Record<string, unknown>,
  });
  const runsWithKey = async (key: string) =>
    (await service.dataSource.query(
      'SELECT id, event_digest FROM runs WHERE tenant_id = $1 AND idempotency_key = $2',
      ['acme', key],
    )) as Array<{ id: string; event_digest: string | null }>;

  beforeAll(async () => {
    service = await startServiceInProcess(triggerService, {
      env: {
        BATON_API_KEYS: testApiKeysSetting(),
        // Small, so a test can go over it; a trigger event here is a few hundred bytes.
        BATON_HTTP_BODY_LIMIT: '2kb',
        LOG_LEVEL: process.env['LOG_LEVEL'] ?? 'error',
      },
    });
    contextSteps = await service.watch(service.names.steps.context);
    deadLetters = await deadLettersOf(service);
  });
  afterAll(async () => {
    await service?.close();
  });

  it('refuses a NUL in data.message with 400 naming the field, and records nothing', async () => {
    const refused = await answer(
      await post(event('nul-1', { data: { customerId: 'cus_1001', message: 'a\u0000b' } })),
    );
    expect(refused).toEqual({
      status: 400,
      body: {
        statusCode: 400,
        error: 'invalid-event',
        message: 'data.message: contains a NUL character (U+0000), which cannot be stored',
        problems: ['data.message: contains a NUL character (U+0000), which cannot be stored'],
      },
    });
    expect(await runsWithKey('nul-1')).toEqual([]);
  });

  it('refuses a NUL in a nested key, and unpaired surrogates in the idempotency key and the source, all at once', async () => {
    const refused = await answer(
      await post(
        event('nul-2\uD800', {
          source: 'zendesk\uDC00',
          data: { customerId: 'cus_1001', customer: { 'na\u0000me': 'Ann' } },
        }),
      ),
    );
    expect(refused.status).toBe(400);
    expect(refused.body).toEqual({
      ...errorShape,
      error: 'invalid-event',
      problems: [
        'idempotencyKey: contains an unpaired UTF-16 surrogate (U+D800, not valid Unicode), which cannot be stored',
        // In the order of the body: the fixture puts `source` after `data`.
        'data.customer: key "na\\u0000me" contains a NUL character (U+0000), which cannot be stored',
        'source: contains an unpaired UTF-16 surrogate (U+DC00, not valid Unicode), which cannot be stored',
      ],
    });
  });

  it('answers the same key with the same event as a duplicate, whatever its key order, and with another event 409', async () => {
    const first = await answer(await post(event('reuse-1')));
    expect(first).toMatchObject({ status: 202, body: { duplicate: false } });
    const runId = first.body['runId'] as string;

    // The same event, its keys in another order, as a different serializer would send it.
    const reordered = Object.fromEntries(Object.entries(event('reuse-1')).reverse());
    expect(await answer(await post(reordered))).toMatchObject({
      status: 200,
      body: { runId, duplicate: true },
    });

    const other = await answer(
      await post(event('reuse-1', { data: { customerId: 'cus_1001', message: 'Another one' } })),
    );
    const reused = `"reuse-1" was already used for a different event (run ${runId}); send the same event to get that run, or use a new key`;
    expect(other).toEqual({
      status: 409,
      body: {
        statusCode: 409,
        error: 'idempotency-key-reused',
        message: `idempotency key ${reused}`,
        problems: [`idempotencyKey: ${reused}`],
      },
    });
    expect(await runsWithKey('reuse-1')).toEqual([
      { id: runId, event_digest: expect.stringMatching(/^[0-9a-f]{64}$/) },
    ]);
  });

  it('treats a run recorded before digests were as matching any resend of its key', async () => {
    const runId = uuidv7();
    await service.dataSource.query(
      `INSERT INTO runs (id, tenant_id, idempotency_key, workflow_id, workflow_version, event_type, status, trigger)
       VALUES ($1, 'acme', 'legacy-1', 'billing-dispute', 1, 'support.ticket.created', 'running', '{}')`,
      [runId],
    );
    expect(await answer(await post(event('legacy-1')))).toMatchObject({
      status: 200,
      body: { runId, duplicate: true },
    });
  });

  it('answers a body over BATON_HTTP_BODY_LIMIT with 413 payload-too-large', async () => {
    const big = event('big-1', { data: { customerId: 'cus_1001', message: 'x'.repeat(3000) } });
    const refused = await answer(await post(big));
    expect(refused.status).toBe(413);
    expect(refused.body).toEqual({
      ...errorShape,
      statusCode: 413,
      error: 'payload-too-large',
      message: expect.stringMatching(
        /^the body is \d+ bytes; this service accepts at most 2048 bytes \(BATON_HTTP_BODY_LIMIT\)$/,
      ),
    });
    expect(await runsWithKey('big-1')).toEqual([]);
  });

  it('answers malformed JSON with 400 invalid-json', async () => {
    const refused = await answer(await postText('{"schemaVersion": 1,'));
    expect(refused).toEqual({
      status: 400,
      body: {
        ...errorShape,
        statusCode: 400,
        error: 'invalid-json',
        problems: [expect.stringMatching(/^\(root\): not valid JSON: /)],
      },
    });
  });

  it('answers an unknown route, a missing key and a wrong role in the same shape', async () => {
    const unknown = await answer(
      await fetch(`${service.running.url}/v1/nothing-here`, { headers: bearer('admin') }),
    );
    expect(unknown).toEqual({
      status: 404,
      body: {
        statusCode: 404,
        error: 'not-found',
        message: 'Cannot GET /v1/nothing-here',
        problems: ['Cannot GET /v1/nothing-here'],
      },
    });
    const noKey = await answer(await postText(JSON.stringify(event('auth-1')), {}));
    expect(noKey).toEqual({
      status: 401,
      body: {
        statusCode: 401,
        error: 'unauthorized',
        message: 'a valid API key is required: Authorization: Bearer <key>',
        problems: ['a valid API key is required: Authorization: Bearer <key>'],
      },
    });
    const wrongRole = await answer(
      await postText(JSON.stringify(event('auth-1')), bearer('reviewer')),
    );
    expect(wrongRole).toEqual({
      status: 403,
      body: { ...errorShape, statusCode: 403, error: 'forbidden' },
    });
    const badId = await answer(
      await fetch(`${service.running.url}/v1/runs/not-a-uuid`, { headers: bearer('reviewer') }),
    );
    expect(badId).toEqual({
      status: 400,
      body: {
        statusCode: 400,
        error: 'invalid-run-id',
        message: 'id: must be a run id (a UUID)',
        problems: ['id: must be a run id (a UUID)'],
      },
    });
  });

  it('dead-letters an ingress record with a NUL byte, with the reason, and the next valid record still starts a run', async () => {
    const bad = event('kafka-nul-1', { data: { customerId: 'cus_1001', message: 'a\u0000b' } });
    await sendToIngress(service, bad, event('kafka-ok-1'));

    const letter = await deadLetterOf('acme:kafka-nul-1');
    expect(letter.headers['baton-dlq-reason']).toBe('invalid-message');
    expect(JSON.parse(letter.headers['baton-dlq-errors']!)).toEqual([
      'data.message: contains a NUL character (U+0000), which cannot be stored',
    ]);
    await expectEventually(() =>
      expect(contextSteps().map((step) => step.payload.trigger.idempotencyKey)).toContain(
        'kafka-ok-1',
      ),
    );
    expect(await runsWithKey('kafka-nul-1')).toEqual([]);
  });

  it('dead-letters an ingress record reusing the key of an earlier record for a different event; a resend starts nothing', async () => {
    const first = event('kafka-reuse-2');
    const other = (message: string) =>
      event('kafka-reuse-2', { data: { customerId: 'cus_1001', message } });
    // One key: handled in this order. The last one marks the end.
    await sendToIngress(service, first, other('Another one'), first, other('The last one'));

    const letters = await expectEventually(() => {
      const mine = deadLetters().filter((record) => record.key === 'acme:kafka-reuse-2');
      expect(mine).toHaveLength(2);
      return mine;
    });
    // The two different events, not the resend of the first.
    expect(letters.map((letter) => JSON.parse(letter.value!.toString('utf8')))).toEqual([
      other('Another one'),
      other('The last one'),
    ]);
    const runs = await runsWithKey('kafka-reuse-2');
    expect(runs).toHaveLength(1);
    for (const letter of letters) {
      expect(letter.headers['baton-dlq-reason']).toBe('handler-rejected');
      expect(JSON.parse(letter.headers['baton-dlq-errors']!)).toEqual([
        expect.stringContaining(
          `idempotency-key-reused: idempotencyKey: "kafka-reuse-2" was already used for a different event (run ${runs[0]!.id})`,
        ),
      ]);
    }
  });

  it('dead-letters an ingress record reusing the key of an HTTP trigger for a different event, with the reason', async () => {
    const started = await answer(await post(event('kafka-reuse-1')));
    expect(started.status).toBe(202);
    const other = event('kafka-reuse-1', {
      data: { customerId: 'cus_1001', message: 'Another one' },
    });
    await sendToIngress(service, other);

    const letter = await deadLetterOf('acme:kafka-reuse-1');
    expect(letter.headers['baton-dlq-reason']).toBe('handler-rejected');
    expect(JSON.parse(letter.headers['baton-dlq-errors']!)).toEqual([
      expect.stringContaining(
        `idempotency-key-reused: idempotencyKey: "kafka-reuse-1" was already used for a different event (run ${started.body['runId'] as string})`,
      ),
    ]);
    expect(await runsWithKey('kafka-reuse-1')).toHaveLength(1);
  });
});
