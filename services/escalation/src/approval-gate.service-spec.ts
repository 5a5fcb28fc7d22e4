import { uuidv7, type StepRecord } from '@baton/contracts';
import { expectEventually } from '@baton/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  KEYS,
  creditProposal,
  startEscalation,
  type EscalationFixture,
} from './testing/escalation.fixture.js';

describe('escalation service: a reviewer’s approval passes the same gate (in-process transport, real Postgres)', () => {
  let esc: EscalationFixture;
  beforeAll(async () => {
    esc = await startEscalation();
  });
  afterAll(() => esc?.close());

  /** Approves a new task of a new run with these args; the task and the answer. */
  const approve = async (
    args: Record<string, unknown> | undefined,
    options: Parameters<EscalationFixture['escalate']>[0] = {},
  ) => {
    const envelope = await esc.escalate(options);
    const taskId = await esc.taskIdOf(envelope);
    const answer = await esc.api(
      'POST',
      `/v1/tasks/${taskId}/approve`,
      KEYS.reviewer,
      args ? { args } : {},
    );
    return { envelope, taskId, answer };
  };
  /** The task is still open, nothing recorded, and the run was not resumed. */
  const stillOpen = async (taskId: string, runId: string) => {
    const { body } = await esc.api('GET', `/v1/tasks/${taskId}`, KEYS.reviewer);
    expect(body).toMatchObject({ status: 'open', decision: null });
    expect(esc.decisionsOf(runId)).toEqual([]);
  };

  it('refuses an edit above the ceiling or the invoice with 422, every problem by field; the task stays open', async () => {
    const { envelope, taskId, answer } = await approve({ ...creditProposal.args, amount: 600 });
    expect(answer.status).toBe(422);
    expect(answer.body).toMatchObject({
      statusCode: 422,
      error: 'proposal-refused',
      problems: [
        'args.amount: amount 600 is above the maximum of 500 for issue-credit',
        'check within-invoice-amount: A credit never exceeds the invoice it is for.',
      ],
    });
    await stillOpen(taskId, envelope.runId);

    // The same task, approved within the limits, goes through.
    const ok = await esc.api('POST', `/v1/tasks/${taskId}/approve`, KEYS.reviewer, {
      args: { ...creditProposal.args, amount: 120 },
    });
    expect(ok.status).toBe(200);
    await expectEventually(() => expect(esc.decisionsOf(envelope.runId)).toHaveLength(1));
  });

  it('refuses an edit of a pinned argument, naming it, and fills in one the reviewer left out', async () => {
    const moved = await approve({ ...creditProposal.args, customerId: 'cus_1002' });
    expect(moved.answer).toMatchObject({
      status: 422,
      body: {
        error: 'proposal-refused',
        problems: [
          'args.customerId: argument customerId is pinned to trigger.data.customerId = "cus_1001"; the proposal set "cus_1002"',
        ],
      },
    });
    await stillOpen(moved.taskId, moved.envelope.runId);

    const { customerId: _, ...withoutCustomer } = creditProposal.args!;
    const filled = await approve({ ...withoutCustomer, amount: 90 });
    expect(filled.answer.status).toBe(200);
    const [resumed] = await expectEventually(() => {
      const sent = esc.decisionsOf(filled.envelope.runId);
      expect(sent).toHaveLength(1);
      return sent;
    });
    const review = resumed!.payload.state.history.at(-1)!;
    expect(review.output).toMatchObject({
      decision: { args: { ...creditProposal.args, amount: 90 }, decidedBy: 'reviewer' },
    });
  });

  it('refuses an approval that the effect ledger says breaks a limit, from the executed writes it follows', async () => {
    const tenantId = `t-${uuidv7()}`;
    // The action service credited inv_2001 in an earlier run of this tenant.
    const earlierRun = uuidv7();
    await esc.publishEffect({
      schemaVersion: 1,
      callKey: `${earlierRun}:3:issue-credit`,
      runId: earlierRun,
      tenantId,
      workflow: { id: 'billing-dispute', version: 1 },
      tool: 'issue-credit',
      simulated: false,
      at: new Date().toISOString(),
      claims: [
        { limit: 'one-credit-per-invoice', key: 'inv_2001' },
        { limit: 'credits-within-invoice', key: 'inv_2001', amount: 150 },
      ],
    });
    // Its copy of the ledger follows the topic; reviewers can read it by run or key.
    const listed = await expectEventually(async () => {
      const answer = await esc.api('GET', `/v1/effects?runId=${earlierRun}`, KEYS.reviewer);
      expect(answer.body['items']).toHaveLength(2);
      return answer.body['items'] as Array<Record<string, unknown>>;
    });
    expect(listed).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          tenantId,
          tool: 'issue-credit',
          limit: 'one-credit-per-invoice',
          key: 'inv_2001',
          amount: null,
        }),
        expect.objectContaining({
          limit: 'credits-within-invoice',
          key: 'inv_2001',
          amount: 150,
          simulated: false,
        }),
      ]),
    );
    expect(await esc.api('GET', '/v1/effects', KEYS.reviewer)).toMatchObject({
      status: 400,
      body: { error: 'filter-required' },
    });
    const envelope = await esc.escalate({ tenantId });
    const taskId = await esc.taskIdOf(envelope);
    const refused = await esc.api('POST', `/v1/tasks/${taskId}/approve`, KEYS.reviewer, {});
    expect(refused.status).toBe(422);
    expect(refused.body['problems']).toEqual([
      'limit one-credit-per-invoice: 1 call already for inv_2001 in the last 90d; at most 1',
      'limit credits-within-invoice: 150 already for inv_2001 in the last 3650d, plus 150 makes 300, above 200',
    ]);
    await stillOpen(taskId, envelope.runId);
    // Another invoice of the same tenant is not limited by it.
    const other = await esc.api('POST', `/v1/tasks/${taskId}/approve`, KEYS.reviewer, {
      args: { ...creditProposal.args, invoiceId: 'inv_2002', amount: 18 },
    });
    expect(other.status).toBe(200);
  });

  it('refuses to approve exactly a call that already failed in the run', async () => {
    const failed: StepRecord = {
      name: 'issue-credit',
      kind: 'action',
      seq: 3,
      outcome: 'failed',
      output: {
        args: creditProposal.args,
        result: { status: 'failed', error: 'violates foreign key constraint (SQLSTATE 23503)' },
      },
    };
    const { envelope, taskId, answer } = await approve(undefined, { history: [failed] });
    expect(answer).toMatchObject({
      status: 422,
      body: {
        problems: [
          'args: issue-credit already failed with exactly these arguments at step 3 (violates foreign key constraint (SQLSTATE 23503)); edit them or reject',
        ],
      },
    });
    await stillOpen(taskId, envelope.runId);
  });

  it('opens no task for a run with no step left to act on an approval, and ends the run', async () => {
    const envelope = await esc.escalate();
    const spent = {
      ...envelope,
      envelopeId: uuidv7(),
      budget: { ...envelope.budget, stepsLeft: 0 },
    };
    await esc.publish(spent);
    const ended = await expectEventually(() => {
      const found = esc.eventsOf(spent.runId, 'run.ended').find((e) => e.status === 'failed');
      expect(found).toBeDefined();
      return found!;
    });
    expect(ended.reason).toBe('stopped: max steps reached');
    const { body } = await esc.api('GET', `/v1/tasks?runId=${spent.runId}`, KEYS.reviewer);
    // The first escalation of the run opened a task; the one without steps left did not.
    expect((body['items'] as unknown[]).length).toBe(1);
  });
});
