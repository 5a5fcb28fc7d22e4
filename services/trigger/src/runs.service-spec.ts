import { runEventFor, stepFinished, type RunEvent, type StepEnvelope } from '@baton/contracts';
import {
  documentedAnswers,
  startServiceInProcess,
  type DocumentedAnswers,
  type InProcessService,
  type Read,
} from '@baton/service-kit/testing';
import { bearer, expectEventually, testApiKeysSetting } from '@baton/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deadLettersOf, sendToIngress } from './testing/ingress.fixture.js';
import { aTriggerEvent } from './testing/trigger-event.fixture.js';
import { triggerService } from './trigger.service-definition.js';

const event = aTriggerEvent;

describe('trigger service: runs over HTTP and the ingress topic, the ledger (in-process transport, real Postgres)', () => {
  let service: InProcessService;
  let contextSteps: Read<StepEnvelope<'context'>>;
  let runEvents: Read<RunEvent>;
  /** Every answer checked below is also held against the OpenAPI document the service serves. */
  let answers: DocumentedAnswers;
  const post = (
    body: unknown,
    headers: Record<string, string> = bearer('publisher'),
    raw = false,
  ) =>
    fetch(`${service.running.url}/v1/triggers`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: raw ? (body as string) : JSON.stringify(body),
    });
  const get = (path: string, headers: Record<string, string> = bearer('reviewer')) =>
    fetch(`${service.running.url}${path}`, { headers });
  /** Run events, as the run-events topic carries them (keyed by run id, in order). */
  const report = async (...events: RunEvent[]) => {
    for (const e of events) await service.publish(service.names.runEvents, e);
  };

  beforeAll(async () => {
    service = await startServiceInProcess(triggerService, {
      env: { BATON_API_KEYS: testApiKeysSetting(), LOG_LEVEL: process.env['LOG_LEVEL'] ?? 'error' },
    });
    contextSteps = await service.watch(service.names.steps.context);
    runEvents = await service.watch(service.names.runEvents);
    answers = await documentedAnswers(service.running.url);
  });
  afterAll(() => service?.close());

  it('starts a run from an HTTP trigger: 202, the first step sent on, the run in the ledger', async () => {
    const response = await post(event('http-1'));
    expect(response.status).toBe(202);
    const run = (await response.json()) as { runId: string; duplicate: boolean; workflow: unknown };
    expect(run).toMatchObject({
      duplicate: false,
      workflow: { id: 'billing-dispute', version: 1 },
      acceptedBy: 'publisher-1',
    });
    expect(answers.problems('post', '/v1/triggers', 202, run)).toEqual([]);

    const envelope = await expectEventually(() => {
      const sent = contextSteps().find((e) => e.runId === run.runId);
      expect(sent).toBeDefined();
      return sent!;
    });
    expect(envelope).toMatchObject({
      runId: run.runId,
      step: { name: 'gather-context', kind: 'context', seq: 0, attempt: 1 },
      budget: { stepsLeft: 19, tokensLeft: 20000, costLeftUsd: 0.5 },
      payload: {
        kind: 'context',
        trigger: { idempotencyKey: 'http-1', data: { customerId: 'cus_1001' } },
      },
    });
    await expectEventually(() =>
      expect(runEvents()).toContainEqual(
        expect.objectContaining({ runId: run.runId, type: 'run.started' }),
      ),
    );
    const ledger = await get(`/v1/runs/${run.runId}`);
    expect(ledger.status).toBe(200);
    expect(await ledger.json()).toMatchObject({
      id: run.runId,
      status: 'running',
      idempotencyKey: 'http-1',
    });
  });

  it('starts one run per idempotency key, over HTTP and over the ingress topic', async () => {
    const first = (await (await post(event('dup-1'))).json()) as { runId: string };
    const again = await post(event('dup-1'));
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ runId: first.runId, duplicate: true });
    await sendToIngress(service, event('dup-1'));
    // A fresh key over the topic starts a run; the duplicate before it did not.
    await sendToIngress(service, event('ingress-1'));
    await expectEventually(async () => {
      const { items: runs } = (await (
        await get('/v1/runs?workflowId=billing-dispute&limit=200')
      ).json()) as { items: Array<{ idempotencyKey: string }> };
      expect(runs.map((r) => r.idempotencyKey)).toContain('ingress-1');
    });
    await expectEventually(() =>
      expect(contextSteps().map((e) => e.payload.trigger.idempotencyKey)).toContain('ingress-1'),
    );
    expect(contextSteps().filter((e) => e.payload.trigger.idempotencyKey === 'dup-1')).toHaveLength(
      1,
    );
  });

  it('answers malformed triggers with a 4xx naming the problem, and starts nothing', async () => {
    const badJson = await post('{"schemaVersion": 1,', bearer('publisher'), true);
    expect(badJson.status).toBe(400);

    const missing = await post({ ...event('bad-1'), tenantId: undefined });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({
      error: 'invalid-event',
      problems: ['tenantId: is required'],
    });

    const unknown = await post(event('bad-2', { workflowId: 'wire-transfer' }));
    expect(unknown.status).toBe(422);
    expect(await unknown.json()).toMatchObject({
      error: 'unknown-workflow',
      message: expect.stringMatching(/^workflowId: no published workflow "wire-transfer"/),
    });

    const noData = await post(event('bad-3', { data: { message: 'hi' } }));
    expect(noData.status).toBe(422);
    expect(await noData.json()).toMatchObject({
      error: 'missing-data',
      problems: ['data.customerId: is required by workflow billing-dispute'],
    });

    const { items: runs } = (await (await get('/v1/runs?limit=200')).json()) as {
      items: Array<{ idempotencyKey: string }>;
    };
    expect(runs.map((r) => r.idempotencyKey)).not.toEqual(expect.arrayContaining(['bad-1']));
    expect(runs.map((r) => r.idempotencyKey).filter((k) => k.startsWith('bad-'))).toEqual([]);
  });

  it('dead-letters a trigger for an unknown workflow arriving on the ingress topic, with the reason', async () => {
    const dlq = await deadLettersOf(service);
    await sendToIngress(service, event('bad-ingress', { workflowId: 'nope' }));
    await expectEventually(() => expect(dlq()).toHaveLength(1));
    expect(dlq()[0]!.key).toBe('acme:bad-ingress');
    expect(dlq()[0]!.headers['baton-dlq-reason']).toBe('handler-rejected');
    expect(dlq()[0]!.headers['baton-dlq-errors']).toContain('unknown-workflow');
  });

  it('requires an API key with the right role', async () => {
    expect((await post(event('auth-1'), {})).status).toBe(401);
    expect((await post(event('auth-1'), { authorization: 'Bearer wrong' })).status).toBe(401);
    expect((await post(event('auth-1'), bearer('reviewer'))).status).toBe(403);
    expect((await get('/v1/runs', bearer('publisher'))).status).toBe(403);
    expect((await get('/v1/runs', bearer('admin'))).status).toBe(200);
    expect((await get('/health/live', {})).status).toBe(200);
    expect((await get('/health/ready', {})).status).toBe(200);
  });

  it('serves its OpenAPI document without a key: the JSON at /v1/openapi.json and /docs/openapi.json, Swagger UI at /docs', async () => {
    const answer = await get('/v1/openapi.json', {});
    expect(answer.status).toBe(200);
    const document = (await answer.json()) as {
      openapi: string;
      paths: Record<string, { servers: Array<{ url: string }>; post?: { security: unknown } }>;
    };
    expect(document.openapi).toBe('3.1.0');
    expect(document.paths['/v1/triggers']!.post!.security).toEqual([{ apiKey: [] }]);
    expect(document.paths['/v1/triggers']!.servers).toEqual([
      { url: service.running.url, description: 'the trigger service' },
    ]);
    // Only this service's routes: the review API is the escalation service's.
    expect(document.paths['/v1/tasks']).toBeUndefined();
    expect(await (await get('/docs/openapi.json', {})).json()).toEqual(document);
    // The workflow definition's schema, which the document refers to by its file name.
    const schema = await get('/v1/workflow-definition.v1.schema.json', {});
    expect(((await schema.json()) as { title: string }).title).toMatch(/workflow definition/);
    const ui = await get('/docs', {});
    expect(ui.status).toBe(200);
    expect(await ui.text()).toContain('swagger-ui');
  });

  it('keeps the ledger from run events: steps with timing, and a terminal state with its reason', async () => {
    const { runId } = (await (await post(event('ledger-1'))).json()) as { runId: string };
    const envelope: StepEnvelope = await expectEventually(() => {
      const sent = contextSteps().find((e) => e.runId === runId);
      expect(sent).toBeDefined();
      return sent!;
    });
    const started = new Date(Date.now() - 40);
    const finished = (outcome: string, output: Record<string, unknown>) =>
      stepFinished(envelope, { outcome, startedAt: started, output });
    // The step was dead-lettered first: the ledger shows it lost.
    const deadLetter = { topic: 'x.dlq', reason: 'handler-failed', error: 'TypeError' };
    await report(finished('dead-lettered', { deadLetter }));
    await expectEventually(async () => {
      const run = (await (await get(`/v1/runs/${runId}`)).json()) as Record<string, unknown>;
      expect(run['steps']).toMatchObject([{ outcome: 'dead-lettered', output: { deadLetter } }]);
    });
    // Replayed, it was handled: its report takes the dead-lettered one's place; a redelivered
    // report of the same envelope changes nothing.
    await report(
      finished('gathered', { sources: 3 }),
      finished('gathered', { sources: 4 }),
      runEventFor(envelope, { type: 'run.ended', status: 'completed', reason: 'resolved' }),
    );
    await expectEventually(async () => {
      const run = (await (await get(`/v1/runs/${runId}`)).json()) as Record<string, unknown>;
      expect(run).toMatchObject({
        status: 'completed',
        reason: 'resolved',
        steps: [
          {
            name: 'gather-context',
            kind: 'context',
            outcome: 'gathered',
            output: { sources: 3 },
            durationMs: expect.any(Number),
          },
        ],
      });
    });
    const completed = (await (await get('/v1/runs?status=completed')).json()) as {
      items: Array<{ id: string }>;
    };
    expect(completed.items.map((r) => r.id)).toContain(runId);
    type Page = { items: Array<{ id: string }>; nextCursor: string };
    const first = (await (await get('/v1/runs?limit=1')).json()) as Page;
    const second = (await (
      await get(`/v1/runs?limit=1&cursor=${first.nextCursor}`)
    ).json()) as Page;
    expect(first.items).toHaveLength(1);
    expect(second.items[0]!.id < first.items[0]!.id).toBe(true);
    // The list and the run as the OpenAPI document describes them (RunPage, RunDetail).
    expect(answers.problems('get', '/v1/runs', 200, completed)).toEqual([]);
    expect(answers.problems('get', '/v1/runs', 200, first)).toEqual([]);
    const detail: unknown = await (await get(`/v1/runs/${runId}`)).json();
    expect(answers.problems('get', '/v1/runs/{id}', 200, detail)).toEqual([]);
    // The check fails an answer that differs from the document: a field missing, one unnamed.
    const { traceId: _, ...withoutTraceId } = detail as Record<string, unknown>;
    expect(answers.problems('get', '/v1/runs/{id}', 200, withoutTraceId)).not.toEqual([]);
    expect(
      answers.problems('get', '/v1/runs/{id}', 200, { ...(detail as object), extra: 1 }),
    ).not.toEqual([]);
    expect((await get('/v1/runs?status=lost')).status).toBe(400);
  });

  it('cancels a run: cancelled in the ledger with who and why, run.ended sent on, 409 the second time', async () => {
    const { runId } = (await (await post(event('cancel-1'))).json()) as { runId: string };
    const cancel = (body: unknown, headers = bearer('reviewer')) =>
      fetch(`${service.running.url}/v1/runs/${runId}/cancel`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });
    expect((await cancel({ reason: 'duplicate ticket' }, bearer('publisher'))).status).toBe(403);
    expect((await cancel({})).status).toBe(400);
    const cancelled = await cancel({ reason: 'duplicate ticket' });
    expect(cancelled.status).toBe(200);
    const answer: unknown = await cancelled.json();
    expect(answers.problems('post', '/v1/runs/{id}/cancel', 200, answer)).toEqual([]);
    expect(answer).toMatchObject({
      status: 'cancelled',
      reason: 'cancelled by reviewer-1: duplicate ticket',
    });
    expect((await cancel({ reason: 'again' })).status).toBe(409);
    expect(await (await get(`/v1/runs/${runId}`)).json()).toMatchObject({
      status: 'cancelled',
      endedAt: expect.any(String),
    });
    await expectEventually(() =>
      expect(runEvents()).toContainEqual(
        expect.objectContaining({
          runId,
          type: 'run.ended',
          status: 'cancelled',
          reason: 'cancelled by reviewer-1: duplicate ticket',
        }),
      ),
    );
  });
});
