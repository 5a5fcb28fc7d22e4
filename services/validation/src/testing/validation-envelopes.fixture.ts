// Test-only: validation envelopes of the billing-dispute workflow, valid by construction.
import {
  aContextEnvelope,
  nextStep,
  type DecisionRecord,
  type ExecutedAction,
  type StepEnvelope,
  type StepRecord,
  type ToolResult,
} from '@baton/contracts';

/** The customer's invoices in the evidence: credits on others are refused. */
export const INVOICES = [
  { id: 'inv_8', amount: 500, status: 'paid' },
  { id: 'inv_9', amount: 18, status: 'paid' },
];

export const aCredit = (
  amount: unknown,
  overrides: Partial<DecisionRecord> = {},
): DecisionRecord => ({
  next: 'act',
  tool: 'issue-credit',
  args: { customerId: 'cus_1001', invoiceId: 'inv_8', amount, reason: 'duplicate' },
  label: 'duplicate-charge',
  confidence: 0.9,
  rationale: 'Two identical March invoices.',
  decidedBy: 'rules',
  ...overrides,
});

export function aValidation(
  decision: DecisionRecord,
  options: {
    history?: StepRecord[];
    result?: ToolResult;
    /** With a result: what the action names as executed (default: its tool and step); null: none, as before the field. */
    executed?: ExecutedAction | null;
    workflowVersion?: number;
    stepsLeft?: number;
  } = {},
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
      { source: 'invoices', kind: 'record' as const, content: INVOICES, weak: false },
    ],
    weakEvidence: false,
    history: options.history ?? [],
  };
  const decide = nextStep(
    context,
    { name: 'decide', kind: 'decision' },
    { kind: 'decision', state },
  );
  const action = nextStep(
    decide,
    { name: `execute-${decision.tool}`, kind: 'action' },
    { kind: 'action', state, decision },
  );
  const executed =
    options.executed === null
      ? {}
      : { executed: options.executed ?? { tool: decision.tool!, seq: action.step.seq } };
  const envelope = options.result
    ? nextStep(
        action,
        { name: `check-${decision.tool}`, kind: 'validation' },
        { kind: 'validation', state, decision, result: options.result, ...executed },
      )
    : nextStep(
        decide,
        { name: 'validate-proposal', kind: 'validation' },
        { kind: 'validation', state, decision },
      );
  if (options.workflowVersion) envelope.workflow.version = options.workflowVersion;
  if (options.stepsLeft !== undefined) envelope.budget.stepsLeft = options.stepsLeft;
  return envelope;
}
