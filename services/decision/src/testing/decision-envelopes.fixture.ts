// Test-only: decision envelopes of the billing-dispute workflow, valid by construction.
import {
  aContextEnvelope,
  nextStep,
  type Evidence,
  type StepEnvelope,
  type StepRecord,
} from '@baton/contracts';

export const CUSTOMER: Evidence = {
  source: 'customer',
  kind: 'record',
  content: { id: 'cus_1001', name: 'Ada Lovelace', plan: 'pro', status: 'active' },
  weak: false,
};
export const INVOICES: Evidence = {
  source: 'invoices',
  kind: 'record',
  content: [
    { id: 'inv_7', period: '2026-03', amount: 49, status: 'paid' },
    { id: 'inv_8', period: '2026-03', amount: 49, status: 'paid' },
  ],
  weak: false,
};

export function aDecision(
  options: {
    data?: Record<string, unknown>;
    evidence?: Evidence[];
    history?: StepRecord[];
    reason?: string;
    stepsLeft?: number;
    tokensLeft?: number;
  } = {},
): StepEnvelope<'decision'> {
  const context = aContextEnvelope({
    data: options.data ?? { customerId: 'cus_1001', message: 'I was charged twice in March.' },
  });
  const evidence = options.evidence ?? [CUSTOMER, INVOICES];
  const envelope = nextStep(
    context,
    { name: 'decide', kind: 'decision' },
    {
      kind: 'decision',
      state: {
        trigger: context.payload.trigger,
        evidence,
        weakEvidence: evidence.some((item) => item.weak),
        history: options.history ?? [],
      },
      reason: options.reason ?? 'context-gathered',
    },
  );
  if (options.stepsLeft !== undefined) envelope.budget.stepsLeft = options.stepsLeft;
  if (options.tokensLeft !== undefined) envelope.budget.tokensLeft = options.tokensLeft;
  return envelope;
}

/**
 * A model answer (strict structured output: every argument present, null where it does not
 * apply) proposing a credit of `amount` with `tool`.
 */
export const aModelCredit = (
  options: { tool?: string; amount?: unknown; confidence?: number } = {},
) => ({
  next: 'act',
  tool: options.tool ?? 'issue-credit',
  args: {
    customerId: 'cus_1001',
    invoiceId: 'inv_8',
    amount: 'amount' in options ? options.amount : 49,
    reason: 'duplicate',
    body: null,
    query: null,
  },
  label: 'duplicate-charge',
  confidence: options.confidence ?? 0.85,
  rationale: 'Two identical March invoices; the policy refunds duplicates.',
});
