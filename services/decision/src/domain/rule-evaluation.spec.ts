import type { RunState } from '@baton/contracts';
import { WorkflowCatalog } from '@baton/workflow';
import { describe, expect, it } from 'vitest';
import { decideByRules, readsSource } from './rule-evaluation.js';
import { ruleScope } from '@baton/workflow';

const workflow = WorkflowCatalog.fromDirectory(
  new URL('../../../../workflows/', import.meta.url).pathname,
).get('billing-dispute', 1)!;
const rules = workflow.decision.rules;

const state = (data: Record<string, unknown>, overrides: Partial<RunState> = {}): RunState => ({
  trigger: {
    eventType: 'billing.dispute.opened',
    idempotencyKey: 'k',
    data,
    receivedAt: '2026-01-01T00:00:00Z',
  },
  evidence: [
    { source: 'customer', kind: 'record', content: { id: 'cus_1', name: 'Ada' }, weak: false },
  ],
  weakEvidence: false,
  history: [],
  ...overrides,
});

describe(decideByRules.name, () => {
  it('takes the first rule whose conditions all hold and renders its args, numbers staying numbers', () => {
    const decided = decideByRules(
      rules,
      ruleScope(
        state({
          customerId: 'cus_1',
          invoiceId: 'inv_7',
          disputedAmount: 25,
          message: 'double charge',
        }),
      ),
    );
    expect(decided).toEqual({
      rule: 'structured-dispute',
      decision: {
        next: 'act',
        tool: 'issue-credit',
        args: { customerId: 'cus_1', invoiceId: 'inv_7', amount: 25, reason: 'double charge' },
        label: 'disputed-charge',
        confidence: 0.9,
        rationale: 'The upstream form names the invoice and the disputed amount.',
        decidedBy: 'rules',
      },
    });
  });

  it('escalates an unknown customer before anything else', () => {
    const decided = decideByRules(
      rules,
      ruleScope(
        state({ customerId: 'cus_x', invoiceId: 'inv_7', disputedAmount: 25 }, { evidence: [] }),
      ),
    );
    expect(decided?.rule).toBe('unknown-customer');
    expect(decided?.decision).toMatchObject({ next: 'escalate', label: 'unknown-customer' });
    expect(decided?.decision.tool).toBeUndefined();
  });

  it('drafts the reply from what the credit did, then completes once the reply is done', () => {
    const credit = {
      name: 'issue-credit',
      kind: 'action' as const,
      seq: 3,
      outcome: 'succeeded',
      output: { args: { invoiceId: 'inv_7', amount: 25 }, result: { status: 'succeeded' } },
    };
    const reply = decideByRules(
      rules,
      ruleScope(state({ customerId: 'cus_1' }, { history: [credit] })),
    );
    expect(reply?.rule).toBe('reply-after-credit');
    expect(reply?.decision.args).toEqual({
      customerId: 'cus_1',
      body: 'Hello Ada, we have credited 25 to invoice inv_7. It will appear on your next statement.',
    });
    const draft = { ...credit, name: 'draft-reply', seq: 6, output: { args: {}, result: {} } };
    const done = decideByRules(
      rules,
      ruleScope(state({ customerId: 'cus_1' }, { history: [credit, draft] })),
    );
    expect(done?.decision).toMatchObject({ next: 'complete', label: 'resolved' });
  });

  it('decides nothing when no rule holds (the model is asked next)', () => {
    expect(
      decideByRules(rules, ruleScope(state({ customerId: 'cus_1', message: 'why?' }))),
    ).toBeUndefined();
  });
});

describe('rules and sources that failed', () => {
  const failedCustomer = state(
    { customerId: 'cus_1', invoiceId: 'inv_7', disputedAmount: 25, message: 'x' },
    {
      evidence: [
        {
          source: 'customer',
          kind: 'record',
          content: null,
          weak: true,
          failed: true,
          note: 'failed',
        },
      ],
    },
  );

  it('does not try a rule that reads the evidence of a source that failed: silence is not "not found"', () => {
    const decided = decideByRules(rules, ruleScope(failedCustomer), new Set(['customer']));
    expect(decided?.rule).not.toBe('unknown-customer');
    // Without knowing it failed, the same evidence reads as an unknown customer.
    expect(decideByRules(rules, ruleScope(failedCustomer))?.rule).toBe('unknown-customer');
  });

  it('tells which conditions read a source, in either form', () => {
    const sources = new Set(['customer', 'invoices']);
    expect(readsSource({ path: 'evidence.customer', op: 'missing' }, sources)).toBe(true);
    expect(readsSource("evidence['invoices'].size() > 0", sources)).toBe(true);
    expect(readsSource('evidence.customers.size() > 0', sources)).toBe(false);
    expect(readsSource('evidence.customer-notes != null', sources)).toBe(false);
    expect(readsSource({ path: 'trigger.data.customer', op: 'exists' }, sources)).toBe(false);
  });
});
