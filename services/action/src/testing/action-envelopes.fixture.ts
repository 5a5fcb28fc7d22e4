import { aContextEnvelope, nextStep, uuidv7, type DecisionRecord } from '@baton/contracts';
import { billingWorkflow, writeWorkflows } from '@baton/testing';

export const MESSAGE = 'I was charged twice for November.';

// What the context step found for cus_1001 in the seeded billing data.
const EVIDENCE = [
  {
    source: 'customer',
    kind: 'record' as const,
    content: { id: 'cus_1001', name: 'Dana Whitfield' },
    weak: false,
  },
  {
    source: 'invoices',
    kind: 'record' as const,
    content: [
      { id: 'inv_2001', amount: 36, status: 'paid' },
      { id: 'inv_2002', amount: 18, status: 'paid' },
    ],
    weak: false,
  },
];

/**
 * An action envelope of cus_1001's run. Effect limits count per tenant across runs, so each
 * test gets a tenant of its own unless it shares one on purpose.
 */
export function anAction(
  decision: Partial<DecisionRecord>,
  workflowId = 'billing-dispute',
  tenantId = `t-${uuidv7()}`,
) {
  const context = aContextEnvelope({
    tenantId,
    data: { customerId: 'cus_1001', message: MESSAGE },
  });
  return nextStep(
    { ...context, workflow: { id: workflowId, version: 1 } },
    { name: `execute-${decision.tool}`, kind: 'action' },
    {
      kind: 'action',
      state: {
        trigger: context.payload.trigger,
        evidence: EVIDENCE,
        weakEvidence: false,
        history: [],
      },
      decision: {
        next: 'act',
        label: 'disputed-charge',
        confidence: 0.9,
        rationale: 'The upstream form names the invoice and the disputed amount.',
        decidedBy: 'rules',
        ...decision,
      },
    },
  );
}
export const credit = (amount: unknown) => ({
  tool: 'issue-credit',
  args: { customerId: 'cus_1001', invoiceId: 'inv_2001', amount, reason: MESSAGE },
});

/**
 * billing-dispute and its variants: in shadow mode, without its checks (a statement the
 * billing database refuses reaches the database), and with only the sum limit.
 */
export function actionWorkflowsDir(): string {
  const base = billingWorkflow() as ReturnType<typeof billingWorkflow> & {
    validation: Record<string, unknown>;
    tools: Array<Record<string, unknown>>;
  };
  return writeWorkflows([
    base,
    { ...base, id: 'billing-dispute-shadow', mode: 'shadow' },
    { ...base, id: 'billing-dispute-unchecked', validation: { ...base.validation, checks: [] } },
    // Only the sum limit: credits on an invoice up to its amount, however many.
    {
      ...base,
      id: 'billing-dispute-sum',
      tools: base.tools.map((tool) =>
        tool['name'] === 'issue-credit'
          ? {
              ...tool,
              limits: (tool['limits'] as Array<{ name: string }>).filter(
                (limit) => limit.name === 'credits-within-invoice',
              ),
            }
          : tool,
      ),
    },
  ]);
}
