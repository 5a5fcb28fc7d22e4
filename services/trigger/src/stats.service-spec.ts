import { runEventFor, uuidv7, type RunEvent } from '@baton/contracts';
import {
  documentedAnswers,
  startServiceInProcess,
  type DocumentedAnswers,
  type InProcessService,
} from '@baton/service-kit/testing';
import { bearer, expectEventually, testApiKeysSetting } from '@baton/testing';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestClock, triggerServiceOn } from './testing/clock.fixture.js';
import { aTriggerEvent, postTrigger } from './testing/trigger-event.fixture.js';

/**
 * The outcome stats (`GET /v1/stats`, docs/outcomes.md) on a mix of outcomes, with exact
 * numbers: runs started over HTTP, their history reported as the other services report it
 * (run events), the start times pinned so that every duration is known.
 */
describe('trigger service: outcome stats (in-process transport, real Postgres)', () => {
  const clock = new TestClock(new Date('2026-06-01T12:00:00.000Z'));
  const t0 = clock.now().getTime();
  let service: InProcessService;
  /** The answers below are also held against the OpenAPI document the service serves. */
  let answers: DocumentedAnswers;
  const get = (path: string) =>
    fetch(`${service.running.url}${path}`, { headers: bearer('reviewer') });

  const publishVersion = async (version: number, manualMinutes: number) => {
    const yaml = readFileSync(
      new URL('../../../workflows/billing-dispute/workflow.yaml', import.meta.url),
      'utf8',
    ).replace(/^version: \d+$/m, `version: ${version}`);
    const response = await fetch(`${service.running.url}/v1/workflows`, {
      method: 'POST',
      headers: { 'content-type': 'application/yaml', ...bearer('admin') },
      body: `${yaml}\nmanualMinutes: ${manualMinutes}\n`,
    });
    expect(response.status, await response.text()).toBeLessThan(300);
  };

  /** A run of `version` started at t0, its events at t0 + the given ms, in order. */
  const aRun = async (
    version: number,
    events: Array<[number, Parameters<typeof runEventFor>[1]]>,
    tenantId = 'acme',
  ): Promise<string> => {
    const response = await postTrigger(
      service.running.url,
      aTriggerEvent(uuidv7(), { workflowVersion: version, tenantId }),
    );
    expect(response.status).toBe(202);
    const { runId } = (await response.json()) as { runId: string };
    await service.dataSource.query(`UPDATE runs SET created_at = $2 WHERE id = $1`, [
      runId,
      new Date(t0),
    ]);
    const of = { runId, workflow: { id: 'billing-dispute', version }, tenantId };
    for (const [ms, event] of events)
      await service.publish(service.names.runEvents, runEventFor(of, event, new Date(t0 + ms)));
    return runId;
  };
  const decided = (tokens: number, costUsd: number): Parameters<typeof runEventFor>[1] => {
    const at = new Date(t0).toISOString();
    return {
      type: 'step.finished',
      step: {
        name: 'decide',
        kind: 'decision',
        seq: 1,
        attempt: 1,
        envelopeId: uuidv7(),
        startedAt: at,
        finishedAt: at,
        outcome: 'act',
        output: { model: { calls: 1, tokens, costUsd } },
      },
    };
  };
  const ended = (
    status: RunEvent['status'],
    reason = 'done',
  ): Parameters<typeof runEventFor>[1] => ({
    type: 'run.ended',
    status,
    reason,
  });
  const waiting = (reason: string): Parameters<typeof runEventFor>[1] => ({
    type: 'run.waiting',
    reason,
  });
  const resumed = (review: NonNullable<RunEvent['review']>): Parameters<typeof runEventFor>[1] => ({
    type: 'run.resumed',
    reason: 'review by reviewer-1',
    review,
  });
  const proposed = { tool: 'issue-credit', args: { amount: 120 } };

  beforeAll(async () => {
    service = await startServiceInProcess(triggerServiceOn(clock), {
      env: { BATON_API_KEYS: testApiKeysSetting(), BATON_SCHEDULE_TICK_MS: '3600000' },
    });
    answers = await documentedAnswers(service.running.url);
    await publishVersion(2, 12);
    await publishVersion(3, 10);
    const runs = [
      // Version 2: two runs completed without a person, one approved, one edited, one
      // rejected, one still waiting for a person, one failed, one still running.
      aRun(2, [
        [0, decided(100, 0.01)],
        [1000, ended('completed')],
      ]),
      aRun(2, [
        [0, decided(300, 0.03)],
        [3000, ended('completed')],
      ]),
      aRun(2, [
        [500, waiting('low confidence')],
        [60_500, resumed({ outcome: 'approved', proposed })],
        [61_000, ended('completed')],
      ]),
      aRun(2, [
        [500, waiting('low confidence')],
        [120_500, resumed({ outcome: 'edited', proposed, edited: { args: { amount: 80 } } })],
        [121_000, ended('completed')],
      ]),
      aRun(2, [
        [500, waiting('amount above limit')],
        [30_500, resumed({ outcome: 'rejected', proposed })],
        [31_000, ended('rejected', 'rejected by reviewer-1')],
      ]),
      aRun(2, [[500, waiting('amount above limit')]]),
      aRun(2, [[2000, ended('failed', 'model unavailable')]]),
      aRun(2, []),
      // Another tenant's run: outside `tenant=acme`.
      aRun(2, [[1000, ended('completed')]], 'globex'),
      // Version 3: two runs completed without a person.
      aRun(3, [
        [0, decided(50, 0.005)],
        [1000, ended('completed')],
      ]),
      aRun(3, [
        [0, decided(50, 0.005)],
        [1000, ended('completed')],
      ]),
    ];
    await Promise.all(runs);
    // Every event recorded: the ledger's last writes are the ends and the waits.
    await expectEventually(async () => {
      const [row] = await service.dataSource.query<Array<{ ended: number; waiting: number }>>(
        `SELECT count(*) FILTER (WHERE ended_at IS NOT NULL)::int AS ended,
                count(*) FILTER (WHERE escalation_reason IS NOT NULL)::int AS waiting FROM runs`,
      );
      expect(row).toEqual({ ended: 9, waiting: 4 });
    });
  }, 120_000);
  afterAll(() => service?.close());

  const v2 = {
    runs: 8,
    outcomes: {
      completed: 2,
      approved: 1,
      edited: 1,
      rejected: 1,
      failed: 1,
      cancelled: 0,
      escalated: 1,
      running: 1,
    },
    ended: 6,
    escalated: 4,
    reviewed: 3,
    corrected: 2,
    completionRate: 4 / 6,
    automationRate: 2 / 6,
    escalationRate: 0.5,
    correctionRate: 2 / 3,
    topEscalationReasons: [
      { reason: 'amount above limit', runs: 2 },
      { reason: 'low confidence', runs: 2 },
    ],
    topFailureReasons: [{ reason: 'model unavailable', runs: 1 }],
    // Ended after 1, 2, 3, 31, 61 and 121 s: the median between 3 s and 31 s, the 95th
    // percentile three quarters of the way from 61 s to 121 s.
    timeToOutcomeMs: { p50: 17_000, p95: 106_000 },
    // Reviews after 30, 60 and 120 s of waiting.
    reviewWaitMs: { p50: 60_000, p95: 114_000 },
    tokens: 400,
    tokensPerRun: 50,
    costUsd: 0.04,
    costPerRunUsd: 0.005,
    // Four completed runs of a version declaring 12 manual minutes.
    timeSavedMinutes: 48,
  };

  it('reports the stats of one version and tenant, with exact numbers', async () => {
    const response = await get('/v1/stats?workflow=billing-dispute&version=2&tenant=acme');
    expect(response.status).toBe(200);
    const stats = (await response.json()) as Record<string, unknown>;
    expect(stats).toMatchObject({
      workflowId: 'billing-dispute',
      version: 2,
      tenant: 'acme',
      ...v2,
      costUsd: expect.closeTo(0.04, 10),
      costPerRunUsd: expect.closeTo(0.005, 10),
    });
    expect(answers.problems('get', '/v1/stats', 200, stats)).toEqual([]);
  });

  it('compares two versions side by side', async () => {
    const response = await get('/v1/stats?workflow=billing-dispute&compare=2,3&tenant=acme');
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      workflowId: string;
      versions: Array<{ version: number; stats: Record<string, unknown> }>;
    };
    expect(answers.problems('get', '/v1/stats', 200, body)).toEqual([]);
    expect(body.workflowId).toBe('billing-dispute');
    expect(body.versions.map((v) => v.version)).toEqual([2, 3]);
    expect(body.versions[0]!.stats).toMatchObject({ runs: 8, correctionRate: 2 / 3 });
    expect(body.versions[1]!.stats).toMatchObject({
      runs: 2,
      ended: 2,
      completionRate: 1,
      automationRate: 1,
      escalationRate: 0,
      correctionRate: null,
      tokens: 100,
      timeToOutcomeMs: { p50: 1000, p95: 1000 },
      reviewWaitMs: { p50: null, p95: null },
      timeSavedMinutes: 20,
    });
  });

  it('filters by the time window: nothing started before since', async () => {
    const since = new Date(t0 + 1).toISOString();
    const response = await get(`/v1/stats?workflow=billing-dispute&since=${since}`);
    expect(await response.json()).toMatchObject({
      runs: 0,
      completionRate: null,
      timeSavedMinutes: null,
    });
    const all = await get(`/v1/stats?until=${since}`);
    expect(await all.json()).toMatchObject({ runs: 11 });
  });

  it('lists what reviewers corrected, the edit as a diff of the args', async () => {
    const response = await get('/v1/stats/corrections?workflow=billing-dispute&tenant=acme');
    expect(response.status).toBe(200);
    const body: unknown = await response.json();
    expect(answers.problems('get', '/v1/stats/corrections', 200, body)).toEqual([]);
    const { items } = body as {
      items: Array<{ outcome: string; changes: unknown[]; proposed: unknown; edited: unknown }>;
    };
    const byOutcome = Object.fromEntries(items.map((item) => [item.outcome, item]));
    expect(items).toHaveLength(2);
    expect(byOutcome['edited']).toMatchObject({
      proposed,
      edited: { args: { amount: 80 } },
      changes: [{ field: 'args.amount', proposed: 120, edited: 80 }],
    });
    expect(byOutcome['rejected']).toMatchObject({ proposed, edited: null, changes: [] });
    expect((await get('/v1/stats/corrections?limit=0')).status).toBe(400);
  });

  it('refuses a bad filter with a 400 naming it', async () => {
    const bad = await get('/v1/stats?since=yesterday');
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).toContain('since');
    const compare = await get('/v1/stats?compare=2,3');
    expect(compare.status).toBe(400);
    expect(JSON.stringify(await compare.json())).toContain('compare: needs workflow');
  });
});
