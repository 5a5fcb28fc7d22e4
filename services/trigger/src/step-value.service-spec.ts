import { runEventFor, uuidv7 } from '@baton/contracts';
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

type Event = Parameters<typeof runEventFor>[1];

const OVER_50 = "Credits above $50 need a reviewer's approval (refund policy §2).";

/**
 * The step-value report (`GET /v1/workflows/:id/step-value`, docs/outcomes.md) from the run
 * ledger, with exact counts: runs started over HTTP, their steps reported as the other services
 * report them (run events), one run a backtest started (left out), one of another version.
 */
describe('trigger service: step value (in-process transport, real Postgres)', () => {
  const clock = new TestClock(new Date('2026-06-01T12:00:00.000Z'));
  let service: InProcessService;
  let answers: DocumentedAnswers;
  const get = (path: string) =>
    fetch(`${service.running.url}${path}`, { headers: bearer('reviewer') });

  const publishVersion = async (version: number) => {
    const yaml = readFileSync(
      new URL('../../../workflows/billing-dispute/workflow.yaml', import.meta.url),
      'utf8',
    ).replace(/^version: \d+$/m, `version: ${version}`);
    const response = await fetch(`${service.running.url}/v1/workflows`, {
      method: 'POST',
      headers: { 'content-type': 'application/yaml', ...bearer('admin') },
      body: yaml,
    });
    expect(response.status, await response.text()).toBeLessThan(300);
  };

  let seq = 0;
  const step = (
    kind: string,
    name: string,
    outcome: string,
    output: Record<string, unknown> = {},
    input: Record<string, unknown> = {},
  ): Event => {
    const at = clock.now().toISOString();
    seq += 1;
    return {
      type: 'step.finished',
      step: {
        name,
        kind: kind as 'context',
        seq,
        attempt: 1,
        envelopeId: uuidv7(),
        startedAt: at,
        finishedAt: at,
        outcome,
        input,
        output,
      },
    };
  };
  const gathered = (customer = 'ok') =>
    step('context', 'gather-context', 'gathered', {
      sources: {
        customer: { status: customer },
        invoices: { status: 'ok' },
        policy: { status: 'ok' },
      },
      weakEvidence: false,
    });
  const byRule = (rule: string, next = 'act') =>
    step('decision', 'decide', next, { rule, decision: { next, label: rule, decidedBy: 'rules' } });
  const validated = (tool: string, outcome = 'passed', output: Record<string, unknown> = {}) =>
    step('validation', 'validate-proposal', outcome, output, {
      tool,
      args: {},
      decidedBy: 'rules',
    });
  const ran = (tool: string) => step('action', `execute-${tool}`, 'succeeded');
  const credited = (): Event[] => [
    ran('issue-credit'),
    byRule('reply-after-credit'),
    validated('draft-reply'),
    ran('draft-reply'),
    byRule('done', 'complete'),
    { type: 'run.ended', status: 'completed', reason: 'resolved' },
  ];
  const reviewed = (outcome: 'approved' | 'edited'): Event[] => [
    byRule('structured-dispute'),
    validated('issue-credit', 'needs-approval', { reason: OVER_50 }),
    step('escalation', 'escalate', 'task-created', {
      taskId: uuidv7(),
      queue: 'billing',
      reason: OVER_50,
    }),
    { type: 'run.waiting', reason: OVER_50 },
    {
      type: 'run.resumed',
      reason: 'review',
      review: { outcome, proposed: { tool: 'issue-credit', args: {} } },
    },
    step('decision', 'decide', 'act', {
      reviewer: 'r',
      decision: { next: 'act', decidedBy: 'reviewer' },
    }),
    validated('issue-credit'),
  ];

  /** A run of `version` with these events, in order; the last one is awaited in the ledger. */
  const aRun = async (version: number, events: Event[]): Promise<string> => {
    const response = await postTrigger(
      service.running.url,
      aTriggerEvent(uuidv7(), { workflowVersion: version }),
    );
    expect(response.status).toBe(202);
    const { runId } = (await response.json()) as { runId: string };
    // The window is judged on created_at: the test clock's time, not the database's.
    await service.dataSource.query('UPDATE runs SET created_at = $2 WHERE id = $1', [
      runId,
      clock.now(),
    ]);
    const of = { runId, workflow: { id: 'billing-dispute', version }, tenantId: 'acme' };
    for (const event of events)
      await service.publish(service.names.runEvents, runEventFor(of, event, clock.now()));
    const steps = events.filter((e) => e.type === 'step.finished').length;
    await expectEventually(async () => {
      const [row] = await service.dataSource.query<Array<{ n: number }>>(
        'SELECT count(*)::int AS n FROM run_steps WHERE run_id = $1',
        [runId],
      );
      expect(row!.n).toBe(steps);
    });
    return runId;
  };

  beforeAll(async () => {
    service = await startServiceInProcess(triggerServiceOn(clock), {
      env: { BATON_API_KEYS: testApiKeysSetting(), BATON_SCHEDULE_TICK_MS: '3600000' },
    });
    answers = await documentedAnswers(service.running.url);
    await publishVersion(2);
    await publishVersion(3);
    // Version 2: a credit by the rules; two held for approval (approved, edited); a proposal
    // the check refused; an unknown customer.
    await aRun(2, [
      gathered(),
      byRule('structured-dispute'),
      validated('issue-credit'),
      ...credited(),
    ]);
    await aRun(2, [gathered(), ...reviewed('approved'), ...credited()]);
    await aRun(2, [gathered(), ...reviewed('edited'), ...credited()]);
    await aRun(2, [
      gathered(),
      byRule('structured-dispute'),
      validated('issue-credit', 'failed', {
        problems: [{ guard: 'check', subject: 'customers-own-invoice', message: 'not theirs' }],
      }),
      byRule('unknown-customer', 'escalate'),
    ]);
    await aRun(2, [gathered('missing'), byRule('unknown-customer', 'escalate')]);
    // A backtest's run of version 2 and a run of version 3: neither counts for version 2.
    const backtestRun = await aRun(2, [gathered(), byRule('structured-dispute')]);
    const backtestId = uuidv7();
    await service.dataSource.query(
      `INSERT INTO backtests (id, workflow_id, version, against_version, since, until, requested_by)
       VALUES ($1, 'billing-dispute', 2, 1, now(), now(), 'test')`,
      [backtestId],
    );
    await service.dataSource.query('UPDATE runs SET backtest_id = $2 WHERE id = $1', [
      backtestRun,
      backtestId,
    ]);
    await aRun(3, [gathered(), byRule('structured-dispute')]);
  }, 120_000);
  afterAll(() => service?.close());

  it('counts each step of the version, with exact numbers and the documented answer', async () => {
    const response = await get('/v1/workflows/billing-dispute/step-value?version=2&minRuns=5');
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown> & {
      sources: Array<Record<string, unknown>>;
      rules: Array<Record<string, unknown>>;
      checks: Array<Record<string, unknown>>;
      approvals: Array<Record<string, unknown>>;
      tools: Array<Record<string, unknown>>;
    };
    expect(answers.problems('get', '/v1/workflows/{id}/step-value', 200, body)).toEqual([]);
    expect(body).toMatchObject({
      workflowId: 'billing-dispute',
      version: 2,
      window: { since: null, until: null },
      runs: 5,
      minRuns: 5,
      decisionsBy: { rules: 12, model: 0, reviewer: 2 },
    });
    const byName = (lines: Array<Record<string, unknown>>) =>
      Object.fromEntries(lines.map((line) => [line['name'], line]));
    expect(byName(body.sources)).toMatchObject({
      // The reply's template (three runs) and unknown-customer (two) read it.
      customer: { runs: 5, statuses: { ok: 4, missing: 1 }, readByRule: 5, changed: 5 },
      invoices: { readByRule: 0, readByGuard: 1, changed: 1, verdict: 'keep' },
      policy: { changed: 0, modelDecisions: 0, verdict: 'consider-removing' },
    });
    expect(byName(body.rules)).toMatchObject({
      'structured-dispute': { decisions: 12, fired: 4 },
      'unknown-customer': { fired: 2 },
      done: { fired: 3 },
    });
    expect(byName(body.checks)).toMatchObject({
      'positive-credit': { checked: 6, refused: 0, verdict: 'consider-removing' },
      'customers-own-invoice': { checked: 6, refused: 1, rate: 1 / 6, verdict: 'keep' },
    });
    expect(body.approvals[0]).toMatchObject({
      asked: 2,
      approved: 1,
      edited: 1,
      rejected: 0,
      rate: 0.5,
      verdict: 'too-few-runs',
    });
    expect(byName(body.tools)).toMatchObject({
      'issue-credit': { proposedRuns: 4, executedRuns: 3 },
      'search-policy': { proposedRuns: 0, executedRuns: 0, verdict: 'consider-removing' },
    });
  });

  it('reports the latest version without one, and no run before since', async () => {
    const latest = (await (await get('/v1/workflows/billing-dispute/step-value')).json()) as {
      version: number;
      runs: number;
    };
    expect(latest).toMatchObject({ version: 3, runs: 1 });
    const later = new Date(clock.now().getTime() + 60_000).toISOString();
    const none = (await (
      await get(`/v1/workflows/billing-dispute/step-value?version=2&since=${later}`)
    ).json()) as { runs: number };
    expect(none.runs).toBe(0);
  });

  it('answers 404 for a version not published and 400 naming a bad parameter', async () => {
    const missing = await get('/v1/workflows/billing-dispute/step-value?version=9');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({
      error: 'workflow-not-found',
      problems: ['no workflow billing-dispute@9'],
    });
    const bad = await get('/v1/workflows/billing-dispute/step-value?minRuns=0&since=soon');
    expect(bad.status).toBe(400);
    const problem = JSON.stringify(await bad.json());
    expect(problem).toContain('minRuns');
    expect(problem).toContain('since');
    expect((await get('/v1/workflows/Bad_Id/step-value')).status).toBe(400);
  });
});
