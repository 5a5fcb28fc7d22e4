// Test-only: validation envelopes of the billing-dispute workflow, valid by construction.
import {
  aContextEnvelope,
  nextStep,
  type DecisionRecord,
  type StepEnvelope,
  type StepRecord,
  type ToolResult,
} from '@baton/contracts';

export const aCredit = (amount: unknown): DecisionRecord => ({
  next: 'act',
  tool: 'issue-credit',
  args: { customerId: 'cus_1001', invoiceId: 'inv_8', amount, reason: 'duplicate' },
  label: 'duplicate-charge',
  confidence: 0.9,
  rationale: 'Two identical March invoices.',
  decidedBy: 'model',
});

export function aValidation(
  decision: DecisionRecord,
  options: { history?: StepRecord[]; result?: ToolResult; workflowVersion?: number } = {},
): StepEnvelope<'validation'> {
  const context = aContextEnvelope({ data: { customerId: 'cus_1001', message: 'charged twice' } });
  const state = {
    trigger: context.payload.trigger,
    evidence: [
      {
        source: 'customer',
        kind: 'record' as const,
        content: { id: 'cus_1001', name: 'Ada Lovelace' },
        weak: false,
      },
    ],
    weakEvidence: false,
    history: options.history ?? [],
  };
  const decide = nextStep(
    context,
    { name: 'decide', kind: 'decision' },
    { kind: 'decision', state },
  );
  const envelope = options.result
    ? nextStep(
        nextStep(
          decide,
          { name: `execute-${decision.tool}`, kind: 'action' },
          { kind: 'action', state, decision },
        ),
        { name: `check-${decision.tool}`, kind: 'validation' },
        { kind: 'validation', state, decision, result: options.result },
      )
    : nextStep(
        decide,
        { name: 'validate-proposal', kind: 'validation' },
        { kind: 'validation', state, decision },
      );
  if (options.workflowVersion) envelope.workflow.version = options.workflowVersion;
  return envelope;
}
