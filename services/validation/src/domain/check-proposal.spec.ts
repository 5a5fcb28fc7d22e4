import type { DecisionRecord, RunState, StepRecord } from '@baton/contracts';
import { WorkflowCatalog } from '@baton/workflow';
import { describe, expect, it } from 'vitest';
import { checkProposal, failedValidations, proposalProblems } from './check-proposal.js';
import { checkScope } from './check-scope.js';

const workflow = WorkflowCatalog.fromDirectory(
  new URL('../../../../workflows/', import.meta.url).pathname,
).get('billing-dispute', 1)!;

const state = (history: StepRecord[] = []): RunState => ({
  trigger: {
    eventType: 'billing.dispute.opened',
    idempotencyKey: 'k',
    data: { customerId: 'cus_1' },
    receivedAt: '2026-01-01T00:00:00Z',
  },
  evidence: [{ source: 'customer', kind: 'record', content: { id: 'cus_1' }, weak: false }],
  weakEvidence: false,
  history,
});
const credit = (args: Record<string, unknown>, tool = 'issue-credit'): DecisionRecord => ({
  next: 'act',
  tool,
  args,
  label: 'disputed-charge',
  confidence: 0.9,
  rationale: 'r',
  decidedBy: 'rules',
});
const valid = { customerId: 'cus_1', invoiceId: 'inv_7', amount: 20 };

describe('proposal checks', () => {
  it('passes a small, complete credit', () => {
    expect(checkProposal(workflow, credit(valid), state())).toEqual({ outcome: 'passed' });
  });

  it("sends a credit above the approval threshold to a reviewer with the approval's reason", () => {
    expect(checkProposal(workflow, credit({ ...valid, amount: 120 }), state())).toEqual({
      outcome: 'needs-approval',
      reason: "Credits above $50 need a reviewer's approval (refund policy §2).",
    });
  });

  it('fails an ungranted tool, missing arguments, an amount over maxAmount and a failing check', () => {
    expect(proposalProblems(workflow, credit(valid, 'wire-money'), state())).toEqual([
      'tool "wire-money" is not granted by this workflow',
    ]);
    expect(
      proposalProblems(workflow, credit({ customerId: 'cus_1', amount: '' }), state()),
    ).toEqual(['missing required argument(s) of issue-credit: invoiceId, amount']);
    expect(proposalProblems(workflow, credit({ ...valid, amount: 900 }), state())).toEqual([
      'amount 900 is above the maximum of 500 for issue-credit',
    ]);
    expect(proposalProblems(workflow, credit({ ...valid, amount: '20' }), state())).toEqual([
      'amount must be a number, got "20"',
    ]);
    expect(checkProposal(workflow, credit({ ...valid, amount: -5 }), state())).toEqual({
      outcome: 'failed',
      message: 'A credit amount must be positive.',
    });
  });

  it("applies a tool's checks only to that tool", () => {
    const reply = credit({ customerId: 'cus_1', body: 'Hello', amount: -5 }, 'draft-reply');
    expect(checkProposal(workflow, reply, state())).toEqual({ outcome: 'passed' });
  });

  it('refuses a proposal that is not an act', () => {
    expect(proposalProblems(workflow, { ...credit(valid), next: 'escalate' }, state())).toEqual([
      'the proposal names no tool to run',
    ]);
  });

  it('checks see args, trigger, evidence by source and the last done action per tool', () => {
    const history: StepRecord[] = [
      {
        name: 'issue-credit',
        kind: 'action',
        seq: 3,
        outcome: 'succeeded',
        output: { args: valid, result: { status: 'succeeded' } },
      },
    ];
    expect(checkScope(state(history), credit(valid))).toMatchObject({
      args: valid,
      trigger: { data: { customerId: 'cus_1' } },
      evidence: { customer: { id: 'cus_1' } },
      done: { 'issue-credit': { args: valid, result: { status: 'succeeded' } } },
    });
  });

  it('counts the failed proposals of the run', () => {
    const failed: StepRecord = {
      name: 'validate',
      kind: 'validation',
      seq: 2,
      outcome: 'failed',
      output: {},
    };
    const other: StepRecord = {
      name: 'issue-credit',
      kind: 'action',
      seq: 4,
      outcome: 'failed',
      output: {},
    };
    expect(failedValidations(state([failed, other, { ...failed, seq: 6 }]))).toBe(2);
  });
});
