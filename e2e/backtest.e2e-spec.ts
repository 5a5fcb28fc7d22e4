// Backtests end to end (docs/changing-workflows.md): live runs of v1 with a reviewer's edit
// and a rejection, then a backtest of v2 over them — the six services as processes, real
// Kafka, real Postgres, the scripted model. The report gives exact agreement figures; the
// backtest makes no business write, no effect-ledger entry and no review task, and its runs
// stay out of the outcome stats. v2 declares a publish gate: it is published as a candidate,
// refused promotion before its backtest, and promoted through the gate after it.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { REPO_ROOT, TEST_KEYS, bearer, businessQuery, expectEventually } from '@baton/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baton } from './support/baton-cli.js';
import { BatonClient, creditDecision, disputeEvent } from './support/baton-client.js';
import { BatonSystem } from './support/baton-system.js';

interface Figures {
  course: string;
  escalated: boolean;
  proposal: { tool: string; args: Record<string, unknown> } | null;
  writes: number;
  refusedWrites: number;
  tokens: number;
}
interface Report {
  status: string;
  against: number;
  workflow: { id: string; version: number };
  reads: string;
  totals: Record<string, unknown> & {
    corrections: Record<string, unknown>;
    original: Record<string, unknown>;
    candidate: Record<string, unknown>;
  };
  items: Array<{
    sourceRunId: string;
    runId: string | null;
    review: string | null;
    original: Figures;
    candidate: Figures;
    sameOutcome: boolean | null;
    agreesWithReviewer: boolean | null;
  }>;
}

/** v2's publish gate: half the corrected runs agreed with, no new refused write. */
const GATE = { requires: ['backtest'], backtest: { minAgreement: 0.5, maxNewRefusedWrites: 0 } };

const v1 = parse(
  readFileSync(`${REPO_ROOT}workflows/billing-dispute/workflow.yaml`, 'utf8'),
) as Record<string, unknown>;

describe('backtest: replay v1 runs against v2 in shadow', () => {
  // One backtest run at a time: the scripted model answers them in the order they start.
  const system = new BatonSystem({
    env: { BATON_BACKTEST_MAX_IN_FLIGHT: '1', BATON_BACKTEST_TICK_MS: '200' },
  });
  const api = new BatonClient(system);
  const ENDED = ['completed', 'failed', 'rejected', 'cancelled'];
  const live: Record<'auto' | 'edited' | 'rejected', string> = {
    auto: '',
    edited: '',
    rejected: '',
  };
  let report: Report;
  let backtestId = '';

  const start = async (event: ReturnType<typeof disputeEvent>) => {
    const response = await api.trigger(event);
    expect(response.status, JSON.stringify(response.body)).toBe(202);
    return response.body['runId'] as string;
  };
  const escalated = async (amount: number) => {
    system.model.reply(creditDecision('inv_2101', amount, 'cus_1002'));
    const runId = await start(
      disputeEvent({ customerId: 'cus_1002', message: `You billed me ${amount} twice.` }),
    );
    return { runId, task: await api.waitForTask(runId) };
  };
  const trigger = (path: string, init: RequestInit = {}, role: 'admin' | 'reviewer' = 'admin') =>
    fetch(`${system.url('trigger')}${path}`, {
      ...init,
      headers: { 'content-type': 'application/json', ...bearer(role) },
    }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> }));

  beforeAll(async () => {
    await system.start();
    // v1, live: completed on its own, edited by a reviewer (300 → 120), rejected (480).
    system.model.reply(creditDecision('inv_2002', 18));
    live.auto = await start(
      disputeEvent({ customerId: 'cus_1001', message: 'Charged twice, please refund $18.' }),
    );
    expect((await api.waitForRun(live.auto, ENDED)).status).toBe('completed');
    const edited = await escalated(300);
    live.edited = edited.runId;
    const args = { ...edited.task.proposal!.args, amount: 120 };
    expect((await api.decide(edited.task.id, 'approve', { args })).status).toBe(200);
    expect((await api.waitForRun(edited.runId, ENDED)).status).toBe('completed');
    const rejected = await escalated(480);
    live.rejected = rejected.runId;
    const reason = 'The charge was correct.';
    expect((await api.decide(rejected.task.id, 'reject', { reason })).status).toBe(200);
    expect((await api.waitForRun(rejected.runId, ENDED)).status).toBe('rejected');

    // v2, the candidate: its model (scripted here) now proposes what the reviewer sent for the
    // edited run, and still proposes the rejected credit. It declares a publish gate, so it is
    // published as a candidate (new triggers keep starting v1) and promoted through the gate.
    const published = await trigger('/v1/workflows?candidate=true', {
      method: 'POST',
      body: JSON.stringify({ ...v1, version: 2, manualMinutes: 9, publish: GATE }),
    });
    expect(published.status, JSON.stringify(published.body)).toBe(201);
    expect(published.body).toMatchObject({ candidate: true, latest: false });
    // Before any backtest the gate is not met.
    const early = await trigger('/v1/workflows/billing-dispute/versions/2/promote', {
      method: 'POST',
      body: '{}',
    });
    expect(early.status, JSON.stringify(early.body)).toBe(409);
    expect(early.body).toMatchObject({
      error: 'publish-gate-failed',
      gate: { met: false, requirements: [{ requirement: 'backtest', backtestId: null }] },
    });
    system.model.reply(
      creditDecision('inv_2002', 18),
      creditDecision('inv_2101', 120, 'cus_1002'),
      creditDecision('inv_2101', 480, 'cus_1002'),
    );
    const started = await trigger('/v1/workflows/billing-dispute/backtests', {
      method: 'POST',
      body: JSON.stringify({ version: 2, since: '1d' }),
    });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    expect(started.body).toMatchObject({
      workflow: { id: 'billing-dispute', version: 2 },
      against: 1,
      runs: 3,
    });
    backtestId = started.body['backtestId'] as string;
    report = await expectEventually(
      async () => {
        const answer = await trigger(`/v1/backtests/${backtestId}`, {}, 'reviewer');
        expect(answer.status).toBe(200);
        expect(answer.body['status']).toBe('finished');
        return answer.body as unknown as Report;
      },
      { timeoutMs: 120_000, intervalMs: 250 },
    );
  }, 300_000);
  afterAll(() => system.stop(), 60_000);

  it('reports each run against its original, and agreement with the reviewers exactly', () => {
    expect(report.reads).toMatch(/business data as it is now/);
    expect(report.items.map((item) => item.sourceRunId)).toEqual([
      live.auto,
      live.edited,
      live.rejected,
    ]);
    const [auto, edited, rejected] = report.items;
    expect(auto).toMatchObject({
      review: null,
      sameOutcome: true,
      agreesWithReviewer: null,
      original: { course: 'completed', writes: 2, refusedWrites: 0 },
      candidate: { course: 'completed', writes: 2, refusedWrites: 0, escalated: false },
    });
    expect(edited).toMatchObject({
      review: 'edited',
      sameOutcome: true,
      agreesWithReviewer: true,
      original: { course: 'asks-a-person', writes: 2 },
      candidate: {
        course: 'asks-a-person',
        writes: 0,
        proposal: { tool: 'issue-credit', args: { invoiceId: 'inv_2101', amount: 120 } },
      },
    });
    expect(rejected).toMatchObject({
      review: 'rejected',
      sameOutcome: true,
      agreesWithReviewer: false,
      original: { course: 'asks-a-person', writes: 0 },
      candidate: { course: 'asks-a-person', writes: 0, proposal: { args: { amount: 480 } } },
    });
    expect(report.totals).toMatchObject({
      runs: 3,
      done: 3,
      sameOutcome: 3,
      differentOutcome: 0,
      notStarted: 0,
      newRefusedWrites: 0,
      corrections: { corrected: 2, edited: 1, rejected: 1, agreed: 1, agreementRate: 0.5 },
      original: {
        runs: 3,
        completed: 1,
        asksAPerson: 2,
        escalationRate: 2 / 3,
        writes: 4,
        tokens: 360,
      },
      candidate: {
        runs: 3,
        completed: 1,
        asksAPerson: 2,
        escalationRate: 2 / 3,
        writes: 2,
        tokens: 360,
      },
    });
    // Six model calls in all: three live, three for the backtest.
    expect(system.model.requests.length).toBe(6);
  });

  it('makes no business write, no effect-ledger entry and no review task', async () => {
    const runIds = report.items.map((item) => item.runId!);
    expect(runIds.every(Boolean)).toBe(true);
    for (const runId of runIds) {
      const like = [`${runId}:%`];
      expect(
        await businessQuery('SELECT 1 FROM billing.credits WHERE idempotency_key LIKE $1', like),
      ).toEqual([]);
      expect(
        await businessQuery('SELECT 1 FROM billing.replies WHERE idempotency_key LIKE $1', like),
      ).toEqual([]);
    }
    for (const schema of ['action', 'escalation']) {
      const effects = await businessQuery(
        `SELECT 1 FROM "${system.schemaPrefix}${schema}".effect_ledger WHERE run_id = ANY($1::uuid[])`,
        [runIds],
      );
      expect(effects, schema).toEqual([]);
    }
    const tasks = await businessQuery(
      `SELECT 1 FROM "${system.schemaPrefix}escalation".tasks WHERE run_id = ANY($1::uuid[])`,
      [runIds],
    );
    expect(tasks).toEqual([]);
    // The live runs did write: the check above can fail.
    expect(
      await businessQuery('SELECT 1 FROM billing.credits WHERE idempotency_key LIKE $1', [
        `${live.auto}:%`,
      ]),
    ).toHaveLength(1);
  });

  it('starts one backtest run at a time (BATON_BACKTEST_MAX_IN_FLIGHT=1)', async () => {
    // When each run was started (taken after the previous end was seen) and when each ended.
    const rows = await businessQuery<{ started_at: Date; ended_at: Date }>(
      `SELECT br.started_at, r.ended_at
         FROM "${system.schemaPrefix}trigger".backtest_runs br
         JOIN "${system.schemaPrefix}trigger".runs r ON r.id = br.run_id
        WHERE br.backtest_id = $1 ORDER BY br.position`,
      [backtestId],
    );
    expect(rows).toHaveLength(3);
    for (let i = 1; i < rows.length; i += 1)
      expect(rows[i]!.started_at.getTime()).toBeGreaterThanOrEqual(rows[i - 1]!.ended_at.getTime());
  });

  it('promotes v2 through its publish gate: the backtest meets it, new triggers start v2', async () => {
    const promoted = await trigger('/v1/workflows/billing-dispute/versions/2/promote', {
      method: 'POST',
      body: '{}',
    });
    expect(promoted.status, JSON.stringify(promoted.body)).toBe(200);
    expect(promoted.body).toMatchObject({
      version: 2,
      promoted: true,
      candidate: false,
      latest: true,
      overrideReason: null,
      gate: {
        met: true,
        against: 1,
        requirements: [
          {
            requirement: 'backtest',
            met: true,
            backtestId,
            measures: [
              { name: 'agreementRate', measured: 0.5, threshold: 0.5, met: true },
              { name: 'newRefusedWrites', measured: 0, threshold: 0, met: true },
              { name: 'runs', measured: 3, threshold: 1, met: true },
            ],
          },
        ],
      },
    });
    const listed = await trigger('/v1/workflows', {}, 'reviewer');
    const versions = listed.body['items'] as Array<Record<string, unknown>>;
    expect(versions.find((v) => v['version'] === 2)).toMatchObject({ latest: true });
    expect(versions.find((v) => v['version'] === 1)).toMatchObject({ latest: false });
  });

  it('leaves the backtest runs out of the outcome stats', async () => {
    const stats = await trigger('/v1/stats?workflow=billing-dispute&since=1d', {}, 'reviewer');
    expect(stats.body).toMatchObject({ runs: 3 });
    const v2 = await trigger(
      '/v1/stats?workflow=billing-dispute&version=2&since=1d',
      {},
      'reviewer',
    );
    expect(v2.body).toMatchObject({ runs: 0 });
  });

  it('baton backtest starts one and prints its report', async () => {
    system.model.reply(
      creditDecision('inv_2002', 18),
      creditDecision('inv_2101', 120, 'cus_1002'),
      creditDecision('inv_2101', 480, 'cus_1002'),
    );
    const cli = await baton([
      'backtest',
      'billing-dispute',
      '--version',
      '2',
      '--since',
      '1d',
      '--wait',
      '--json',
      '--key',
      TEST_KEYS.admin,
      '--trigger-url',
      system.url('trigger'),
    ]);
    expect(cli.code, cli.stderr).toBe(0);
    const printed = JSON.parse(cli.stdout) as Report;
    expect(printed.status).toBe('finished');
    expect(printed.totals.corrections).toMatchObject({ corrected: 2, agreed: 1 });
  });
});
