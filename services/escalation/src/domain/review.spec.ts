import {
  aContextEnvelope,
  decodeStepEnvelope,
  nextStep,
  type DecisionRecord,
  type StepEnvelope,
} from '@baton/contracts';
import { describe, expect, it } from 'vitest';
import { EscalationError, EscalationErrorCode } from './escalation-error.js';
import {
  approvedDecision,
  rejectedDecision,
  resumeEnvelope,
  reviewHistoryRecord,
  sameJson,
} from './review.js';

const reviewer = { name: 'alice', role: 'reviewer' };
const proposal: DecisionRecord = {
  next: 'act',
  tool: 'issue-credit',
  args: { invoiceId: 'inv_1', amount: 120, customerId: 'cus_1' },
  label: 'credit',
  confidence: 0.8,
  rationale: 'Duplicate charge on the last invoice.',
  decidedBy: 'rules',
};

function codeOf(run: () => unknown): EscalationErrorCode | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof EscalationError) return error.code;
    throw error;
  }
  return undefined;
}

describe('approvedDecision', () => {
  it('approves the proposal as it is: outcome approved, decided by the reviewer', () => {
    expect(approvedDecision(proposal, {}, reviewer)).toEqual({
      outcome: 'approved',
      decision: { ...proposal, decidedBy: 'reviewer' },
    });
  });

  it('treats the same args in another key order as approved, not edited', () => {
    const args = { customerId: 'cus_1', amount: 120, invoiceId: 'inv_1' };
    expect(approvedDecision(proposal, { args }, reviewer).outcome).toBe('approved');
  });

  it('records other args as an edit (a correction) and sends the edited args on', () => {
    const args = { invoiceId: 'inv_1', amount: 60, customerId: 'cus_1' };
    const approved = approvedDecision(proposal, { args, note: 'half' }, reviewer);
    expect(approved.outcome).toBe('edited');
    expect(approved.decision).toEqual({ ...proposal, args, decidedBy: 'reviewer' });
  });

  it('refuses to swap the proposed tool', () => {
    expect(codeOf(() => approvedDecision(proposal, { tool: 'draft-reply' }, reviewer))).toBe(
      EscalationErrorCode.ToolMismatch,
    );
  });

  it('needs a tool and args for a task without a proposed action, then it is an edit', () => {
    const noAction: DecisionRecord = {
      next: 'escalate',
      label: 'unknown-customer',
      confidence: 1,
      rationale: 'No customer record.',
      decidedBy: 'rules',
    };
    expect(codeOf(() => approvedDecision(noAction, {}, reviewer))).toBe(
      EscalationErrorCode.ToolRequired,
    );
    expect(codeOf(() => approvedDecision(null, { args: { a: 1 } }, reviewer))).toBe(
      EscalationErrorCode.ToolRequired,
    );
    const args = { customerId: 'cus_2', body: 'Hello' };
    expect(approvedDecision(noAction, { tool: 'draft-reply', args }, reviewer)).toEqual({
      outcome: 'edited',
      decision: {
        next: 'act',
        tool: 'draft-reply',
        args,
        label: 'unknown-customer',
        confidence: 1,
        rationale: 'Action chosen by reviewer alice.',
        decidedBy: 'reviewer',
      },
    });
  });
});

describe('resumeEnvelope', () => {
  const context = aContextEnvelope();
  const escalation: StepEnvelope<'escalation'> = nextStep(
    context,
    { name: 'escalate', kind: 'escalation' },
    {
      kind: 'escalation',
      state: { trigger: context.payload.trigger, evidence: [], weakEvidence: true, history: [] },
      decision: proposal,
      reason: 'credits above 100 need a person',
    },
  );

  it('continues the run as a valid decision envelope with the review in its history', () => {
    const decision = { ...proposal, decidedBy: 'reviewer' as const };
    const record = reviewHistoryRecord(escalation, 'approved', { reviewer, decision });
    const resumed = resumeEnvelope(escalation, record, new Date());
    expect(decodeStepEnvelope(JSON.parse(JSON.stringify(resumed))).ok).toBe(true);
    expect(resumed).toMatchObject({
      runId: escalation.runId,
      causationId: escalation.envelopeId,
      step: { name: 'review', kind: 'decision', seq: escalation.step.seq + 1 },
      payload: { kind: 'decision', reason: 'review-approved' },
    });
    expect(resumed.payload.state.history).toEqual([
      {
        name: 'review',
        kind: 'escalation',
        seq: escalation.step.seq,
        outcome: 'approved',
        output: { reviewer, decision },
      },
    ]);
  });

  it('says review-rejected for a rejection, with the proposal marked decided by the reviewer', () => {
    const decision = rejectedDecision(proposal);
    expect(decision?.decidedBy).toBe('reviewer');
    expect(rejectedDecision(null)).toBeUndefined();
    const record = reviewHistoryRecord(escalation, 'rejected', { reviewer, reason: 'no' });
    expect(resumeEnvelope(escalation, record, new Date()).payload.reason).toBe('review-rejected');
  });

  it('gives the run back the time it had left when it escalated, however long the review took', () => {
    const decision = { ...proposal, decidedBy: 'reviewer' as const };
    const record = reviewHistoryRecord(escalation, 'approved', { reviewer, decision });
    const left = Date.parse(escalation.deadline) - Date.parse(escalation.createdAt);
    const reviewedAt = new Date(Date.parse(escalation.deadline) + 5 * 3_600_000); // after the old deadline
    const resumed = resumeEnvelope(escalation, record, reviewedAt);
    expect(Date.parse(resumed.deadline) - reviewedAt.getTime()).toBe(left);
  });
});

describe('sameJson', () => {
  it('compares JSON values regardless of key order, but not of array order', () => {
    expect(sameJson({ a: 1, b: { c: [1, 2] } }, { b: { c: [1, 2] }, a: 1 })).toBe(true);
    expect(sameJson({ a: [1, 2] }, { a: [2, 1] })).toBe(false);
    expect(sameJson({ a: 1 }, { a: '1' })).toBe(false);
  });
});
