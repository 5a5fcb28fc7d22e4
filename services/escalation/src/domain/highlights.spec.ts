import { aContextEnvelope, nextStep, type DecisionRecord } from '@baton/contracts';
import { describe, expect, it } from 'vitest';
import { highlightsOf } from './highlights.js';

const escalation = (decision?: DecisionRecord) => {
  const context = aContextEnvelope({ data: { customerId: 'cus_1', message: 'charged twice' } });
  return nextStep(
    context,
    { name: 'escalate', kind: 'escalation' },
    {
      kind: 'escalation',
      state: {
        trigger: context.payload.trigger,
        evidence: [
          { source: 'customer', kind: 'record', content: { id: 'cus_1', plan: null }, weak: false },
        ],
        weakEvidence: false,
        history: [{ name: 'gather-context', kind: 'context', seq: 0, outcome: 'gathered' }],
      },
      reason: 'credits above 50 need a reviewer',
      ...(decision ? { decision } : {}),
    },
  );
};
const proposal: DecisionRecord = {
  next: 'act',
  tool: 'issue-credit',
  args: { amount: 150 },
  label: 'duplicate-charge',
  confidence: 0.8,
  rationale: 'Charged twice.',
  decidedBy: 'model',
};

describe(highlightsOf.name, () => {
  it('reads each path of escalation.show in order, from the rule scope and the proposal args', () => {
    expect(
      highlightsOf(
        ['args.amount', 'trigger.data.message', 'evidence.customer', 'history.0.outcome'],
        escalation(proposal),
      ),
    ).toEqual([
      { path: 'args.amount', value: 150 },
      { path: 'trigger.data.message', value: 'charged twice' },
      { path: 'evidence.customer', value: { id: 'cus_1', plan: null } },
      { path: 'history.0.outcome', value: 'gathered' },
    ]);
  });

  it('gives a path the run lacks null, flagged missing; a present null is not missing', () => {
    expect(
      highlightsOf(['args.amount', 'evidence.invoices', 'evidence.customer.plan'], escalation()),
    ).toEqual([
      { path: 'args.amount', value: null, missing: true },
      { path: 'evidence.invoices', value: null, missing: true },
      { path: 'evidence.customer.plan', value: null },
    ]);
  });

  it('is empty when the workflow shows nothing first', () => {
    expect(highlightsOf(undefined, escalation(proposal))).toEqual([]);
    expect(highlightsOf([], escalation(proposal))).toEqual([]);
  });
});
