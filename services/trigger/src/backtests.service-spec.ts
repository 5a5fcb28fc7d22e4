import { readFileSync } from 'node:fs';
import { runEventFor, uuidv7 } from '@baton/contracts';
import {
  documentedAnswers,
  startServiceInProcess,
  type DocumentedAnswers,
  type InProcessService,
} from '@baton/service-kit/testing';
import { bearer, expectEventually, testApiKeysSetting } from '@baton/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aTriggerEvent, postTrigger } from './testing/trigger-event.fixture.js';
import { triggerService } from './trigger.service-definition.js';

/**
 * Backtests over the trigger service's HTTP API (docs/changing-workflows.md): what a request
 * is refused for, and a backtest whose candidate would not start on the recorded events — its
 * report, held against the OpenAPI document. The replay through every service is
 * e2e/backtest.e2e-spec.ts.
 */
describe('trigger service: backtests (in-process transport, real Postgres)', () => {
  let service: InProcessService;
  let answers: DocumentedAnswers;
  const sourceRuns: string[] = [];

  const call = (path: string, body?: unknown, role: 'admin' | 'reviewer' = 'admin') =>
    fetch(`${service.running.url}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { 'content-type': 'application/json', ...bearer(role) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> }));
  const publish = async (version: number, eventType = 'support.ticket.created') => {
    const yaml = readFileSync(
      new URL('../../../workflows/billing-dispute/workflow.yaml', import.meta.url),
      'utf8',
    )
      .replace(/^version: \d+$/m, `version: ${version}`)
      .replace('support.ticket.created', eventType);
    const response = await fetch(`${service.running.url}/v1/workflows`, {
      method: 'POST',
      headers: { 'content-type': 'application/yaml', ...bearer('admin') },
      body: yaml,
    });
    expect(response.status, await response.text()).toBeLessThan(300);
  };

  beforeAll(async () => {
    service = await startServiceInProcess(triggerService, {
      env: {
        BATON_API_KEYS: testApiKeysSetting(),
        BATON_SCHEDULE_TICK_MS: '3600000',
        BATON_BACKTEST_TICK_MS: '100',
      },
    });
    answers = await documentedAnswers(service.running.url);
    // Version 2 starts on another event type: it would start no run for v1's events.
    await publish(2, 'support.ticket.updated');
    for (const status of ['completed', 'failed'] as const) {
      const response = await postTrigger(
        service.running.url,
        aTriggerEvent(uuidv7(), { workflowVersion: 1 }),
      );
      const { runId } = (await response.json()) as { runId: string };
      sourceRuns.push(runId);
      const of = { runId, workflow: { id: 'billing-dispute', version: 1 }, tenantId: 'acme' };
      await service.publish(
        service.names.runEvents,
        runEventFor(of, { type: 'run.ended', status, reason: status }),
      );
    }
    // A run still under way is not replayed.
    await postTrigger(service.running.url, aTriggerEvent(uuidv7(), { workflowVersion: 1 }));
    await expectEventually(async () => {
      const [row] = await service.dataSource.query<Array<{ n: number }>>(
        `SELECT count(*)::int AS n FROM runs WHERE id = ANY($1::uuid[]) AND ended_at IS NOT NULL`,
        [sourceRuns],
      );
      expect(row!.n).toBe(2);
    });
  }, 60_000);
  afterAll(() => service?.close());

  it('refuses a bad request, naming the field', async () => {
    const bad = await call('/v1/workflows/billing-dispute/backtests', {
      version: 'two',
      limit: 0,
      since: 'last week',
    });
    expect(bad.status).toBe(400);
    expect(bad.body['error']).toBe('invalid-body');
    const problems = (bad.body['problems'] as string[]).join('\n');
    expect(problems).toMatch(/version/);
    expect(problems).toMatch(/limit/);
    expect(problems).toMatch(/since/);

    const unpublished = await call('/v1/workflows/billing-dispute/backtests', { version: 9 });
    expect(unpublished).toMatchObject({ status: 404, body: { error: 'workflow-not-found' } });
    const nothingBelow = await call('/v1/workflows/billing-dispute/backtests', { version: 1 });
    expect(nothingBelow.status).toBe(400);
    expect((nothingBelow.body['problems'] as string[])[0]).toMatch(/^against: /);
    const reviewer = await call(
      '/v1/workflows/billing-dispute/backtests',
      { version: 2 },
      'reviewer',
    );
    expect(reviewer.status).toBe(403);
    expect((await call(`/v1/backtests/${uuidv7()}`, undefined, 'reviewer')).status).toBe(404);
    expect((await call('/v1/backtests/not-an-id', undefined, 'reviewer')).status).toBe(400);
  });

  it('replays the ended runs only, and reports a candidate that would not start on them', async () => {
    const started = await call('/v1/workflows/billing-dispute/backtests', {
      version: 2,
      since: '1h',
    });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    expect(answers.problems('post', '/v1/workflows/{id}/backtests', 202, started.body)).toEqual([]);
    expect(started.body).toMatchObject({ against: 1, runs: 2 });
    const report = await expectEventually(async () => {
      const answer = await call(
        `/v1/backtests/${String(started.body['backtestId'])}`,
        undefined,
        'reviewer',
      );
      expect(answer.body['status']).toBe('finished');
      return answer.body;
    });
    expect(answers.problems('get', '/v1/backtests/{id}', 200, report)).toEqual([]);
    const items = report['items'] as Array<Record<string, unknown>>;
    expect(items.map((item) => item['sourceRunId'])).toEqual(sourceRuns);
    for (const item of items) {
      expect(item).toMatchObject({
        runId: null,
        sameOutcome: false,
        candidate: { course: 'not-started' },
      });
      expect(item['notStarted']).toMatch(/does not start on support\.ticket\.created/);
    }
    expect(report['totals']).toMatchObject({
      runs: 2,
      done: 2,
      sameOutcome: 0,
      differentOutcome: 2,
      notStarted: 2,
      corrections: { corrected: 0, agreementRate: null },
      original: { runs: 2, completed: 1, failed: 1 },
      candidate: { runs: 2, completed: 0, writes: 0 },
    });
    // No run was started for them.
    const [row] = await service.dataSource.query<Array<{ n: number }>>(
      `SELECT count(*)::int AS n FROM runs WHERE backtest_id IS NOT NULL`,
    );
    expect(row!.n).toBe(0);
  });
});
