import type { DecisionRecord } from '@baton/contracts';
import { WorkflowCatalog } from '@baton/workflow';
import { describe, expect, it } from 'vitest';
import { escalateUnsure, guardDecision, refuseUngranted, type Decided } from './decision-guards.js';

const workflow = WorkflowCatalog.fromDirectory(
  new URL('../../../../workflows/', import.meta.url).pathname,
).get('billing-dispute', 1)!;

const decided = (decision: Partial<DecisionRecord>): Decided => ({
  decision: {
    next: 'act',
    tool: 'issue-credit',
    args: { invoiceId: 'inv_2001', amount: 18 },
    label: 'duplicate-charge',
    confidence: 0.9,
    rationale: 'Charged twice.',
    decidedBy: 'model',
    ...decision,
  },
  spent: { tokens: 120, costUsd: 0.0001 },
  output: { model: { calls: 1 } },
});

describe(escalateUnsure.name, () => {
  it('lets a model decision at or above decision.model.minConfidence through', () => {
    const sure = decided({ confidence: 0.6 });
    expect(escalateUnsure(sure, workflow)).toBe(sure);
  });

  it('escalates a less sure model decision with both numbers, keeping the proposal for the reviewer', () => {
    const unsure = escalateUnsure(decided({ confidence: 0.42 }), workflow);
    expect(unsure.decision).toEqual({
      next: 'escalate',
      tool: 'issue-credit',
      args: { invoiceId: 'inv_2001', amount: 18 },
      label: 'duplicate-charge',
      confidence: 0.42,
      rationale:
        'the model is 0.42 sure of "act issue-credit" (duplicate-charge); the workflow acts on 0.6 or more: Charged twice.',
      decidedBy: 'model',
    });
    expect(unsure.output).toMatchObject({ unsureProposal: { next: 'act', confidence: 0.42 } });
    expect(unsure.spent).toEqual({ tokens: 120, costUsd: 0.0001 });
  });

  it('escalates an unsure "complete" too, but leaves escalations and rules alone', () => {
    expect(
      escalateUnsure(decided({ next: 'complete', tool: undefined, confidence: 0.3 }), workflow)
        .decision.next,
    ).toBe('escalate');
    const escalation = decided({ next: 'escalate', confidence: 0.1 });
    expect(escalateUnsure(escalation, workflow)).toBe(escalation);
    const rule = decided({ decidedBy: 'rules', confidence: 0.1 });
    expect(escalateUnsure(rule, workflow)).toBe(rule);
  });
});

describe(guardDecision.name, () => {
  it('refuses an ungranted tool before it looks at confidence', () => {
    const guarded = guardDecision(decided({ tool: 'refund-all', confidence: 0.1 }), workflow);
    expect(guarded.decision).toMatchObject({ next: 'escalate', label: 'ungranted-tool' });
    expect(guarded).toEqual(
      refuseUngranted(decided({ tool: 'refund-all', confidence: 0.1 }), workflow),
    );
  });
});
