import { describe, expect, it } from 'vitest';
import {
  BACKTEST_STOP_PREFIX,
  agreesWithCorrection,
  figuresOf,
  type ReportRun,
} from './backtest-report.js';

const WRITES = new Set(['issue-credit', 'draft-reply']);
const credit = (amount: number) => ({ tool: 'issue-credit', args: { invoiceId: 'i1', amount } });

const run = (over: Partial<ReportRun>): ReportRun => ({
  status: 'completed',
  reason: null,
  escalationReason: null,
  reviewOutcome: null,
  reviewProposed: null,
  reviewEdited: null,
  steps: [],
  ...over,
});
const decision = (seq: number, tokens: number) => ({
  seq,
  kind: 'decision',
  outcome: 'act',
  output: { model: { calls: 1, tokens, costUsd: tokens / 1000 } },
});

describe(figuresOf.name, () => {
  it('counts writes, refused writes, tokens and cost, and finds the first write proposal', () => {
    const figures = figuresOf(
      run({
        steps: [
          decision(1, 100),
          { seq: 2, kind: 'validation', outcome: 'failed', output: credit(900) },
          decision(3, 50),
          { seq: 5, kind: 'action', outcome: 'simulated', output: credit(40) },
          { seq: 7, kind: 'action', outcome: 'succeeded', output: { tool: 'search-policy' } },
          {
            seq: 9,
            kind: 'action',
            outcome: 'simulated',
            output: { tool: 'draft-reply', args: {} },
          },
        ],
      }),
      WRITES,
    );
    expect(figures).toEqual({
      course: 'completed',
      escalated: false,
      proposal: credit(900),
      writes: 2,
      refusedWrites: 1,
      tokens: 150,
      costUsd: expect.closeTo(0.15, 10),
    });
  });

  it('reads a backtest run stopped before a person as asking a person, with its proposal', () => {
    const figures = figuresOf(
      run({
        status: 'cancelled',
        reason: `${BACKTEST_STOP_PREFIX}Credits above $50 need approval`,
        escalationReason: 'Credits above $50 need approval',
        steps: [
          decision(1, 120),
          {
            seq: 4,
            kind: 'escalation',
            outcome: 'backtest-stopped',
            output: { reason: 'x', proposal: { ...credit(120), label: 'refund' } },
          },
        ],
      }),
      WRITES,
    );
    expect(figures).toMatchObject({ course: 'asks-a-person', escalated: true, writes: 0 });
    expect(figures.proposal).toEqual(credit(120));
  });

  it('takes a reviewed run’s proposal from its review, and counts it as asking a person', () => {
    const figures = figuresOf(
      run({ reviewOutcome: 'edited', reviewProposed: credit(300), reviewEdited: credit(120) }),
      WRITES,
    );
    expect(figures).toMatchObject({ course: 'asks-a-person', proposal: credit(300) });
  });
});

describe(agreesWithCorrection.name, () => {
  const candidate = (proposal: ReturnType<typeof credit> | null) => ({
    ...figuresOf(run({}), WRITES),
    proposal,
  });
  const edited = {
    reviewOutcome: 'edited',
    reviewProposed: credit(300),
    reviewEdited: credit(120),
  };
  const rejected = { reviewOutcome: 'rejected', reviewProposed: credit(480), reviewEdited: null };

  it('agrees with an edit when the candidate proposes the edited write, args in any order', () => {
    expect(
      agreesWithCorrection(
        edited,
        candidate({ tool: 'issue-credit', args: { amount: 120, invoiceId: 'i1' } }),
        WRITES,
      ),
    ).toBe(true);
    expect(agreesWithCorrection(edited, candidate(credit(300)), WRITES)).toBe(false);
    expect(agreesWithCorrection(edited, candidate(null), WRITES)).toBe(false);
  });

  it('agrees with a rejection unless the candidate proposes the rejected write again', () => {
    expect(agreesWithCorrection(rejected, candidate(credit(480)), WRITES)).toBe(false);
    expect(agreesWithCorrection(rejected, candidate(credit(200)), WRITES)).toBe(true);
    expect(agreesWithCorrection(rejected, candidate(null), WRITES)).toBe(true);
  });

  it('has nothing to say of a run nobody corrected', () => {
    const approved = { reviewOutcome: 'approved', reviewProposed: credit(1), reviewEdited: null };
    expect(agreesWithCorrection(approved, candidate(credit(1)), WRITES)).toBeNull();
  });
});
