import { readFileSync } from 'node:fs';
import { RecordSigner, runEventFor, uuidv7 } from '@baton/contracts';
import { DLQ_HEADER } from '@baton/messaging';
import {
  documentedAnswers,
  startServiceInProcess,
  type DocumentedAnswers,
  type InProcessService,
} from '@baton/service-kit/testing';
import { bearer, expectEventually, testApiKeysSetting, testSigningKey } from '@baton/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aTriggerEvent } from './testing/trigger-event.fixture.js';
import { triggerService } from './trigger.service-definition.js';

interface Letter {
  id: string;
  topic: string;
  sourceTopic: string;
  reason: string;
  errors: string[];
  key: string | null;
  replays: number;
  replayedBy: string | null;
  valueFormat?: string;
  value?: unknown;
  headers?: Record<string, string>;
}
interface Page {
  items: Letter[];
  nextCursor: string | null;
  topics: Array<{ topic: string; total: number; open: number }>;
}

/**
 * Dead letters over the trigger service's HTTP API (docs/messaging.md#operating-dead-letter-topics):
 * what lands in a dead-letter topic is collected and listed with its reason, an admin replays
 * one once its cause is fixed, and a replay never makes a forged record pass.
 */
describe('trigger service: dead letters (in-process transport, real Postgres)', () => {
  let service: InProcessService;
  let answers: DocumentedAnswers;

  const call = (path: string, role: 'admin' | 'reviewer' = 'admin', method = 'GET') =>
    fetch(`${service.running.url}${path}`, { method, headers: bearer(role) }).then(async (r) => ({
      status: r.status,
      body: (await r.json()) as Record<string, unknown>,
    }));
  const page = async (query = '') => {
    const answer = await call(`/v1/dead-letters${query}`);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answers.problems('get', '/v1/dead-letters', 200, answer.body)).toEqual([]);
    return answer.body as unknown as Page;
  };
  /** The dead letters lying in `topic`, once there are `count` of them. */
  const lettersIn = (topic: string, count: number) =>
    expectEventually(async () => {
      const { items } = await page(`?topic=${encodeURIComponent(topic)}`);
      expect(items).toHaveLength(count);
      return items;
    });

  beforeAll(async () => {
    service = await startServiceInProcess(triggerService, {
      env: {
        BATON_API_KEYS: testApiKeysSetting(),
        BATON_SIGNING_KEY: testSigningKey(),
        BATON_SCHEDULE_TICK_MS: '3600000',
      },
    });
    answers = await documentedAnswers(service.running.url);
  }, 60_000);
  afterAll(() => service?.close());

  it('lists a trigger event for a workflow not published yet, and replays it once it is', async () => {
    const key = `dl-${uuidv7()}`;
    const event = aTriggerEvent(key, { workflowId: 'late-dispute' });
    await service.transport.publish([
      { topic: service.names.triggerIngress, key, value: JSON.stringify(event), headers: {} },
    ]);
    const dlq = `${service.names.triggerIngress}.dlq`;
    const [letter] = await lettersIn(dlq, 1);
    expect(letter).toMatchObject({
      topic: dlq,
      sourceTopic: service.names.triggerIngress,
      reason: 'handler-rejected',
      key,
      replays: 0,
      replayedBy: null,
    });
    expect(letter!.errors.join()).toContain('unknown-workflow');
    const { topics } = await page();
    expect(topics).toContainEqual({
      topic: dlq,
      sourceTopic: service.names.triggerIngress,
      total: 1,
      open: 1,
    });

    const detail = await call(`/v1/dead-letters/${letter!.id}`);
    expect(detail.status).toBe(200);
    expect(answers.problems('get', '/v1/dead-letters/{id}', 200, detail.body)).toEqual([]);
    expect(detail.body).toMatchObject({ valueFormat: 'json', value: event });
    expect((detail.body['headers'] as Record<string, string>)[DLQ_HEADER.reason]).toBe(
      'handler-rejected',
    );

    // The fix: the workflow is published. Then the replay starts the run the event asked for.
    const yaml = readFileSync(
      new URL('../../../workflows/billing-dispute/workflow.yaml', import.meta.url),
      'utf8',
    ).replace(/^id: billing-dispute$/m, 'id: late-dispute');
    const published = await fetch(`${service.running.url}/v1/workflows`, {
      method: 'POST',
      headers: { 'content-type': 'application/yaml', ...bearer('admin') },
      body: yaml,
    });
    expect(published.status, await published.text()).toBe(201);
    const replayed = await call(`/v1/dead-letters/${letter!.id}/replay`, 'admin', 'POST');
    expect(replayed.status, JSON.stringify(replayed.body)).toBe(200);
    expect(answers.problems('post', '/v1/dead-letters/{id}/replay', 200, replayed.body)).toEqual(
      [],
    );
    expect(replayed.body).toMatchObject({ replays: 1, replayedBy: 'admin-1' });
    await expectEventually(async () => {
      const runs = await service.dataSource.query<Array<{ workflow_id: string }>>(
        `SELECT workflow_id FROM runs WHERE idempotency_key = $1`,
        [key],
      );
      expect(runs).toEqual([{ workflow_id: 'late-dispute' }]);
    });
    expect((await page('?status=open')).items.map((l) => l.id)).not.toContain(letter!.id);
    expect((await page('?status=replayed')).items.map((l) => l.id)).toContain(letter!.id);
    // Nothing new was dead-lettered by the replay.
    expect(await lettersIn(dlq, 1)).toHaveLength(1);
  });

  it('replays a forged record as it was: it is refused again, never signed on the way', async () => {
    const runId = uuidv7();
    const forged = runEventFor(
      { runId, workflow: { id: 'billing-dispute', version: 1 }, tenantId: 'acme' },
      { type: 'run.ended', status: 'completed', reason: 'forged' },
    );
    // Signed with another deployment's key: this one's services refuse it.
    const value = JSON.stringify(forged);
    const other = new RecordSigner(['x'.repeat(64)]);
    const topic = service.names.runEvents;
    await service.transport.publish([
      {
        topic,
        key: runId,
        value,
        headers: { 'baton-signature': other.sign({ topic, key: runId, value }) },
      },
    ]);
    const dlq = `${topic}.dlq`;
    const [letter] = await lettersIn(dlq, 1);
    expect(letter).toMatchObject({ reason: 'unsigned', key: runId });
    const replayed = await call(`/v1/dead-letters/${letter!.id}/replay`, 'admin', 'POST');
    expect(replayed.status).toBe(200);
    const letters = await lettersIn(dlq, 2);
    expect(letters.map((l) => [l.reason, l.replays])).toEqual([
      ['unsigned', 0],
      ['unsigned', 1],
    ]);
  });

  it('collects a record written to a dead-letter topic by hand, its source from the topic name', async () => {
    const dlq = `${service.names.steps.decision}.dlq`;
    await service.transport.publish([
      {
        topic: dlq,
        key: 'by-hand',
        value: Buffer.from([0xff, 0xfe]),
        headers: { [DLQ_HEADER.sourceTopic]: service.names.workflowDefinitions },
      },
    ]);
    const [letter] = await lettersIn(dlq, 1);
    expect(letter).toMatchObject({
      reason: 'unknown',
      errors: [],
      sourceTopic: service.names.steps.decision,
    });
    const detail = await call(`/v1/dead-letters/${letter!.id}`);
    expect(detail.body).toMatchObject({ valueFormat: 'base64', value: '//4=' });
  });

  it('is for admins only, and says what it cannot find', async () => {
    for (const path of ['/v1/dead-letters', `/v1/dead-letters/${uuidv7()}`])
      expect((await call(path, 'reviewer')).status).toBe(403);
    expect((await call(`/v1/dead-letters/${uuidv7()}/replay`, 'reviewer', 'POST')).status).toBe(
      403,
    );
    const missing = await call(`/v1/dead-letters/${uuidv7()}/replay`, 'admin', 'POST');
    expect(missing).toMatchObject({ status: 404, body: { error: 'dead-letter-not-found' } });
    const bad = await call('/v1/dead-letters/not-an-id');
    expect(bad).toMatchObject({ status: 400, body: { error: 'invalid-query' } });
    const query = await call('/v1/dead-letters?status=lost&limit=0');
    expect(query.status).toBe(400);
    expect(JSON.stringify(query.body)).toMatch(/status/);
    expect(JSON.stringify(query.body)).toMatch(/limit/);
  });
});
