import { TEST_KEYS, bearer } from '@baton/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baton } from './support/baton-cli.js';
import {
  BatonClient,
  creditDecision,
  disputeEvent,
  notADisputeDecision,
} from './support/baton-client.js';
import { BatonSystem } from './support/baton-system.js';

/**
 * The outcome ledger end to end (docs/outcomes.md): a mix of runs through the six services over
 * Kafka and Postgres — completed without a person, approved, edited, rejected, left waiting for
 * a person, failed — and `GET /v1/stats` reports exactly their numbers. The facts come from
 * three services (statuses from decision, verdicts and edits from escalation, tokens from the
 * decision step's model calls) and reach the trigger service's ledger only as run events.
 */
describe('outcome stats over the whole system', () => {
  const system = new BatonSystem();
  const api = new BatonClient(system);
  const ENDED = ['completed', 'failed', 'rejected', 'cancelled'];
  const escalationReasons: string[] = [];
  let failedReason = '';

  const start = async (event: ReturnType<typeof disputeEvent>) => {
    const response = await api.trigger(event);
    expect(response.status, JSON.stringify(response.body)).toBe(202);
    return response.body['runId'] as string;
  };
  /** A run the model proposes a large credit for: it waits for a reviewer. */
  const escalated = async (amount: number) => {
    system.model.reply(creditDecision('inv_2101', amount, 'cus_1002'));
    const runId = await start(
      disputeEvent({ customerId: 'cus_1002', message: `You billed me ${amount} twice.` }),
    );
    const task = await api.waitForTask(runId);
    await api.waitForRun(runId, ['waiting-for-review']);
    escalationReasons.push(task.reason);
    return { runId, task };
  };

  beforeAll(async () => {
    await system.start();

    // Completed without a person.
    system.model.reply(creditDecision('inv_2002', 18));
    const auto = await start(
      disputeEvent({ customerId: 'cus_1001', message: 'Charged twice, please refund $18.' }),
    );
    expect((await api.waitForRun(auto, ENDED)).status).toBe('completed');

    // Approved as proposed.
    const approved = await escalated(240);
    expect((await api.decide(approved.task.id, 'approve', {})).status).toBe(200);
    expect((await api.waitForRun(approved.runId, ENDED)).status).toBe('completed');

    // Approved with an edit.
    const edited = await escalated(300);
    const args = { ...edited.task.proposal!.args, amount: 120 };
    expect((await api.decide(edited.task.id, 'approve', { args })).status).toBe(200);
    expect((await api.waitForRun(edited.runId, ENDED)).status).toBe('completed');

    // Rejected.
    const rejected = await escalated(480);
    const reason = 'The charge was correct: one invoice per month.';
    expect((await api.decide(rejected.task.id, 'reject', { reason })).status).toBe(200);
    expect((await api.waitForRun(rejected.runId, ENDED)).status).toBe('rejected');

    // Escalated, still waiting for a person.
    await escalated(200);

    // Failed: the model says it is not a billing dispute.
    system.model.reply(notADisputeDecision());
    const failed = await start(
      disputeEvent({ customerId: 'cus_1001', message: 'Where is my parcel?' }),
    );
    const failedRun = await api.waitForRun(failed, ENDED);
    expect(failedRun.status).toBe('failed');
    failedReason = (failedRun as unknown as { reason: string }).reason;
  }, 240_000);
  afterAll(() => system.stop(), 60_000);

  it('reports exactly the mix of outcomes, rates, reasons and model usage', async () => {
    const response = await fetch(
      `${system.url('trigger')}/v1/stats?workflow=billing-dispute&version=1&since=1d`,
      { headers: bearer('reviewer') },
    );
    expect(response.status).toBe(200);
    const stats = (await response.json()) as Record<string, unknown> & {
      timeToOutcomeMs: { p50: number; p95: number };
      reviewWaitMs: { p50: number; p95: number };
      costUsd: number;
      topEscalationReasons: Array<{ reason: string; runs: number }>;
    };
    // Every model call of this system was one of these runs' (120 tokens each, as scripted).
    const tokens = system.model.requests.length * 120;
    expect(stats).toMatchObject({
      runs: 6,
      outcomes: {
        completed: 1,
        approved: 1,
        edited: 1,
        rejected: 1,
        failed: 1,
        cancelled: 0,
        escalated: 1,
        running: 0,
      },
      ended: 5,
      escalated: 4,
      reviewed: 3,
      corrected: 2,
      completionRate: 3 / 5,
      automationRate: 1 / 5,
      escalationRate: 4 / 6,
      correctionRate: 2 / 3,
      topFailureReasons: [{ reason: failedReason, runs: 1 }],
      tokens,
      tokensPerRun: tokens / 6,
      // The bundled billing dispute declares no manualMinutes.
      timeSavedMinutes: null,
    });
    expect(system.model.requests.length).toBe(6);
    expect(stats.costUsd).toBeCloseTo((tokens / 1000) * 0.0006, 10);
    // The first escalation reason of each of the four escalated runs, counted by text.
    const expected = new Map<string, number>();
    for (const reason of escalationReasons) expected.set(reason, (expected.get(reason) ?? 0) + 1);
    expect(Object.fromEntries(stats.topEscalationReasons.map((r) => [r.reason, r.runs]))).toEqual(
      Object.fromEntries(expected),
    );
    // Durations are real time here: present and ordered (exact values: the service spec).
    expect(stats.timeToOutcomeMs.p50).toBeGreaterThan(0);
    expect(stats.timeToOutcomeMs.p95).toBeGreaterThanOrEqual(stats.timeToOutcomeMs.p50);
    expect(stats.reviewWaitMs.p50).toBeGreaterThan(0);
    expect(stats.reviewWaitMs.p95).toBeGreaterThanOrEqual(stats.reviewWaitMs.p50);
  });

  it('baton stats prints the same stats, and the edit as the reviewer made it is listed', async () => {
    const cli = await baton([
      'stats',
      'billing-dispute',
      '--version',
      '1',
      '--since',
      '1d',
      '--json',
      '--key',
      TEST_KEYS.reviewer,
      '--trigger-url',
      system.url('trigger'),
    ]);
    expect(cli.code, cli.stderr).toBe(0);
    expect(JSON.parse(cli.stdout)).toMatchObject({
      runs: 6,
      outcomes: { completed: 1, approved: 1, edited: 1, rejected: 1, failed: 1, escalated: 1 },
      correctionRate: 2 / 3,
    });
    const table = await baton([
      'stats',
      'billing-dispute',
      '--key',
      TEST_KEYS.reviewer,
      '--trigger-url',
      system.url('trigger'),
    ]);
    expect(table.stdout).toMatch(/^correction rate +66\.7 %$/m);

    const corrections = await fetch(
      `${system.url('trigger')}/v1/stats/corrections?workflow=billing-dispute`,
      { headers: bearer('reviewer') },
    );
    const { items } = (await corrections.json()) as {
      items: Array<{ outcome: string; changes: unknown[] }>;
    };
    expect(items.map((item) => item.outcome).sort()).toEqual(['edited', 'rejected']);
    expect(items.find((item) => item.outcome === 'edited')!.changes).toEqual([
      { field: 'args.amount', proposed: 300, edited: 120 },
    ]);
  });
});
