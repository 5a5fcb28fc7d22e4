import type { DecisionPayload, StepRecord } from '@baton/contracts';
import { describe, expect, it } from 'vitest';
import { DecisionError } from './decision-errors.js';
import { readReviewVerdict } from './reviewer-verdict.js';

const proposal = {
  next: 'act',
  tool: 'issue-credit',
  args: { customerId: 'cus_1', invoiceId: 'inv_7', amount: 120 },
  label: 'duplicate-charge',
  confidence: 0.8,
  rationale: 'Charged twice for March.',
  decidedBy: 'model',
};

const payload = (reason: string, history: StepRecord[]): DecisionPayload => ({
  kind: 'decision',
  reason,
  state: {
    trigger: { eventType: 'e', idempotencyKey: 'k', data: {}, receivedAt: '2026-01-01T00:00:00Z' },
    evidence: [],
    weakEvidence: false,
    history,
  },
});
const review = (outcome: string, output: Record<string, unknown>): StepRecord => ({
  name: 'review',
  kind: 'escalation',
  seq: 5,
  outcome,
  output,
});

describe(readReviewVerdict.name, () => {
  it('is not a verdict unless the reason says so', () => {
    expect(readReviewVerdict(payload('context-gathered', []))).toBeUndefined();
  });

  it('reads an approval from the last review record, with the edited args, decided by the reviewer', () => {
    const verdict = readReviewVerdict(
      payload('review-approved', [
        review('rejected', { reviewer: 'old', reason: 'an earlier round' }),
        review('edited', {
          reviewer: { name: 'maria', role: 'reviewer' },
          // The edit as typed (customerId left out), and what the gate approved (pinned bound).
          args: { invoiceId: 'inv_7', amount: 90 },
          decision: { ...proposal, args: { customerId: 'cus_1', invoiceId: 'inv_7', amount: 90 } },
        }),
      ]),
    );
    expect(verdict).toEqual({
      kind: 'approved',
      reviewer: 'maria',
      decision: {
        ...proposal,
        args: { customerId: 'cus_1', invoiceId: 'inv_7', amount: 90 },
        decidedBy: 'reviewer',
      },
    });
  });

  it('acts on an approved escalation that names a tool, and completes one that names none', () => {
    const escalation = { ...proposal, next: 'escalate', tool: undefined, args: undefined };
    const withTool = readReviewVerdict(
      payload('review-approved', [
        review('approved', {
          reviewer: 'maria',
          tool: 'issue-credit',
          args: { amount: 10 },
          decision: escalation,
        }),
      ]),
    );
    expect(withTool).toMatchObject({
      decision: { next: 'act', tool: 'issue-credit', args: { amount: 10 } },
    });
    const without = readReviewVerdict(
      payload('review-approved', [
        review('approved', { reviewer: 'maria', note: 'handled by phone', decision: escalation }),
      ]),
    );
    expect(without).toMatchObject({
      decision: {
        next: 'complete',
        rationale: 'approved by maria with no action to run: handled by phone',
      },
    });
  });

  it("reads a rejection with the reviewer's reason", () => {
    expect(
      readReviewVerdict(
        payload('review-rejected', [
          review('rejected', { reviewer: 'maria', reason: 'not our customer' }),
        ]),
      ),
    ).toEqual({ kind: 'rejected', reviewer: 'maria', reason: 'not our customer' });
  });

  it('cannot handle a verdict without a review record or an approval without a decision', () => {
    expect(() => readReviewVerdict(payload('review-approved', []))).toThrow(DecisionError);
    expect(() =>
      readReviewVerdict(payload('review-approved', [review('approved', { reviewer: 'maria' })])),
    ).toThrow(/review-record-missing: the review record has no valid output.decision/);
  });
});
