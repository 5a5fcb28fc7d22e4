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

const OVER_50 = "Credits above $50 need a reviewer's approval (refund policy §2).";
const UNSURE = 'The model is less than 80 % sure of this credit; a reviewer confirms it.';

/**
 * The step-value report end to end (docs/outcomes.md, "Step value"): five runs of the bundled
 * billing dispute through the six services over Kafka and Postgres, the model scripted, and
 * `GET /v1/workflows/billing-dispute/step-value` counts exactly what each step did: a check that
 * never refused, one that refused once, an approval always approved as proposed, one that was
 * edited once, a source the rules read and one only the model saw.
 */
describe('step value over the whole system', () => {
  const system = new BatonSystem();
  const api = new BatonClient(system);
  const ENDED = ['completed', 'failed', 'rejected', 'cancelled'];

  const start = async (event: ReturnType<typeof disputeEvent>) => {
    const response = await api.trigger(event);
    expect(response.status, JSON.stringify(response.body)).toBe(202);
    return response.body['runId'] as string;
  };
  /** A run whose credit waits for a reviewer, who approves it (with `args`: edited). */
  const approved = async (
    reply: ReturnType<typeof creditDecision>,
    customerId: string,
    reason: string,
    edit?: Record<string, unknown>,
  ) => {
    system.model.reply(reply);
    const runId = await start(disputeEvent({ customerId, message: 'Charged twice.' }));
    const task = await api.waitForTask(runId);
    expect(task.reason).toBe(reason);
    const args = edit ? { ...task.proposal!.args, ...edit } : {};
    expect((await api.decide(task.id, 'approve', edit ? { args } : {})).status).toBe(200);
    expect((await api.waitForRun(runId, ENDED)).status).toBe('completed');
  };

  beforeAll(async () => {
    await system.start();

    // A: a small credit the model is sure of: no person; the reply by the rules.
    system.model.reply(creditDecision('inv_2002', 18));
    const auto = await start(
      disputeEvent({ customerId: 'cus_1001', message: 'Charged twice, please refund $18.' }),
    );
    expect((await api.waitForRun(auto, ENDED)).status).toBe('completed');

    // B and C: above $50, approved as proposed, then approved with the amount edited.
    await approved(creditDecision('inv_2101', 240, 'cus_1002'), 'cus_1002', OVER_50);
    await approved(creditDecision('inv_2101', 300, 'cus_1002'), 'cus_1002', OVER_50, {
      amount: 120,
    });

    // D: a credit on another customer's invoice: customers-own-invoice refuses it, and the
    // model, asked again, ends the run.
    system.model.reply(creditDecision('inv_2101', 20, 'cus_1001'), notADisputeDecision());
    const refused = await start(disputeEvent({ customerId: 'cus_1001', message: 'Refund $20.' }));
    expect((await api.waitForRun(refused, ENDED)).status).toBe('failed');

    // E: a credit the model is unsure of: approved as proposed.
    const unsure = creditDecision('inv_2001', 30);
    unsure.json.confidence = 0.7;
    await approved(unsure, 'cus_1001', UNSURE);
  }, 300_000);
  afterAll(() => system.stop(), 60_000);

  it('counts, per step of the version, how often it changed a run', async () => {
    const response = await fetch(
      `${system.url('trigger')}/v1/workflows/billing-dispute/step-value?version=1&since=1d&minRuns=1`,
      { headers: bearer('reviewer') },
    );
    expect(response.status).toBe(200);
    const report = (await response.json()) as Record<string, unknown> & {
      sources: Array<Record<string, unknown>>;
      rules: Array<Record<string, unknown>>;
      checks: Array<Record<string, unknown>>;
      approvals: Array<Record<string, unknown>>;
      tools: Array<Record<string, unknown>>;
    };
    expect(report).toMatchObject({
      workflowId: 'billing-dispute',
      version: 1,
      runs: 5,
      minRuns: 1,
      // The model in each run (twice in D), the reply and done by rules in the four credited
      // runs, the reviewer's approval in B, C and E.
      decisionsBy: { rules: 8, model: 6, reviewer: 3 },
    });
    const byName = (lines: Array<Record<string, unknown>>) =>
      Object.fromEntries(lines.map((line) => [line['name'], line]));

    // customer: the reply rule's template reads it in the four credited runs.
    expect(byName(report.sources)).toMatchObject({
      customer: {
        runs: 5,
        statuses: { ok: 5, missing: 0, weak: 0, failed: 0 },
        readByRule: 4,
        readByGuard: 0,
        changed: 4,
        modelDecisions: 5,
        rate: 4 / 5,
        verdict: 'keep',
      },
      // invoices: the check that refused D reads it.
      invoices: { readByRule: 0, readByGuard: 1, changed: 1, verdict: 'keep' },
      // policy: only the model saw it.
      policy: { changed: 0, modelDecisions: 5, rate: 0, verdict: 'not-observable' },
    });
    // Decisions the rules were tried on: A, B, C, E three each (the model, the reply, done;
    // a reviewer's approval is not one), D two (both the model's).
    expect(byName(report.rules)).toMatchObject({
      'unknown-customer': { decisions: 14, fired: 0, verdict: 'consider-removing' },
      done: { fired: 4, verdict: 'keep' },
      'reply-after-credit': { fired: 4, verdict: 'keep' },
      'structured-dispute': { fired: 0, verdict: 'consider-removing' },
    });
    // issue-credit proposals validated: A, D one each; B, C, E two each (the reviewer's again).
    expect(byName(report.checks)).toMatchObject({
      'positive-credit': { checked: 8, refused: 0, rate: 0, verdict: 'consider-removing' },
      'customers-own-invoice': { checked: 8, refused: 1, rate: 1 / 8, verdict: 'keep' },
      'within-invoice-amount': { checked: 8, refused: 0, verdict: 'consider-removing' },
      'reply-never-asks-for-secrets': { checked: 4, refused: 0 },
      'reply-links-only-to-acme': { checked: 4, refused: 0 },
    });
    expect(report.approvals).toMatchObject([
      {
        index: 0,
        reason: OVER_50,
        asked: 2,
        approved: 1,
        edited: 1,
        rejected: 0,
        noVerdict: 0,
        rate: 1 / 2,
        verdict: 'keep',
      },
      {
        index: 1,
        reason: UNSURE,
        asked: 1,
        approved: 1,
        edited: 0,
        rejected: 0,
        rate: 0,
        verdict: 'consider-removing',
        summary: 'approved as proposed in 1 of 1 review (asked 1 time) — consider removing',
      },
    ]);
    expect(byName(report.tools)).toMatchObject({
      'issue-credit': { proposedRuns: 5, executedRuns: 4, verdict: 'keep' },
      'draft-reply': { proposedRuns: 4, executedRuns: 4, verdict: 'keep' },
      'search-policy': { proposedRuns: 0, executedRuns: 0, verdict: 'consider-removing' },
    });
    expect(system.model.remaining).toBe(0);
  });

  it('baton step-value prints the same report; no verdict below the default sample', async () => {
    const args = ['--key', TEST_KEYS.reviewer, '--trigger-url', system.url('trigger')];
    const json = await baton(['step-value', 'billing-dispute', '--json', ...args]);
    expect(json.code, json.stderr).toBe(0);
    const report = JSON.parse(json.stdout) as { runs: number; minRuns: number; checks: unknown[] };
    expect(report).toMatchObject({ runs: 5, minRuns: 100 });
    expect(report.checks[0]).toMatchObject({ name: 'positive-credit', verdict: 'too-few-runs' });

    const text = await baton(['step-value', 'billing-dispute', '--min-runs', '1', ...args]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(
      /^ {2}positive-credit +0\.0 % +consider-removing +never refused a proposal in 8 proposals checked — consider removing$/m,
    );

    const missing = await fetch(
      `${system.url('trigger')}/v1/workflows/billing-dispute/step-value?version=99`,
      { headers: bearer('reviewer') },
    );
    expect(missing.status).toBe(404);
    const bad = await fetch(
      `${system.url('trigger')}/v1/workflows/billing-dispute/step-value?since=yesterday`,
      { headers: bearer('reviewer') },
    );
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).toContain('since');
  });
});
