import type { DecisionRecord, RunState } from '@baton/contracts';
import { describe, expect, it } from 'vitest';
import { WorkflowCatalog } from '../workflow-catalog.js';
import { effectClaims, limitProblem, type EffectClaim } from './effect-limits.js';

const workflow = WorkflowCatalog.fromDirectory(
  new URL('../../../../workflows/', import.meta.url).pathname,
).get('billing-dispute', 1)!;
const grant = workflow.tools.find((tool) => tool.name === 'issue-credit')!;

const state = (invoices: unknown): RunState => ({
  trigger: {
    eventType: 'billing.dispute.opened',
    idempotencyKey: 'k',
    data: { customerId: 'cus_1001' },
    receivedAt: '2026-01-01T00:00:00Z',
  },
  evidence: [{ source: 'invoices', kind: 'record', content: invoices, weak: false }],
  weakEvidence: false,
  history: [],
});
const credit = (args: Record<string, unknown>): DecisionRecord => ({
  next: 'act',
  tool: 'issue-credit',
  args,
  label: 'duplicate-charge',
  confidence: 0.9,
  rationale: 'r',
  decidedBy: 'rules',
});
const invoices = [{ id: 'inv_2001', amount: 36 }];

describe(effectClaims.name, () => {
  it('gives each limit its key, window, ceiling and what the call adds', () => {
    const claims = effectClaims(
      grant,
      credit({ invoiceId: 'inv_2001', amount: 20 }),
      state(invoices),
    );
    expect(claims).toEqual({
      ok: true,
      claims: [
        {
          limit: 'one-credit-per-invoice',
          key: 'inv_2001',
          window: '90d',
          windowMs: 90 * 86_400_000,
          maxCount: 1,
        },
        {
          limit: 'credits-within-invoice',
          key: 'inv_2001',
          window: '3650d',
          windowMs: 3650 * 86_400_000,
          amount: 20,
          maxSum: 36,
        },
      ],
    });
  });

  it('refuses a call whose key or ceiling the run cannot give: a limit that cannot count is none', () => {
    expect(effectClaims(grant, credit({ amount: 20 }), state(invoices))).toEqual({
      ok: false,
      problems: [
        'limit one-credit-per-invoice: its key args.invoiceId cannot be evaluated: the run has no "invoiceId"',
        'limit credits-within-invoice: its key args.invoiceId cannot be evaluated: the run has no "invoiceId"',
      ],
    });
    const unknownInvoice = effectClaims(
      grant,
      credit({ invoiceId: 'inv_9', amount: 5 }),
      state(invoices),
    );
    expect(unknownInvoice.ok).toBe(false);
    expect(!unknownInvoice.ok && unknownInvoice.problems[0]).toMatch(
      /^limit credits-within-invoice: its maxSum evidence\.invoices\.filter\(.*\)\[0\]\.amount cannot be evaluated/,
    );
  });

  it('gives no claims for a tool without limits', () => {
    const reply = workflow.tools.find((tool) => tool.name === 'draft-reply')!;
    expect(effectClaims(reply, credit({}), state(invoices))).toEqual({ ok: true, claims: [] });
  });
});

describe(limitProblem.name, () => {
  const count: EffectClaim = {
    limit: 'once',
    key: 'inv_1',
    window: '90d',
    windowMs: 1,
    maxCount: 1,
  };
  const sum: EffectClaim = {
    limit: 'within',
    key: 'inv_1',
    window: '1d',
    windowMs: 1,
    amount: 18.2,
    maxSum: 36.4,
  };

  it('lets a call through while the count and the total stay within the limit', () => {
    expect(limitProblem(count, { count: 0, sum: 0 })).toBeUndefined();
    expect(limitProblem(sum, { count: 1, sum: 18.2 })).toBeUndefined();
  });

  it('says how much was used when the call would break the limit', () => {
    expect(limitProblem(count, { count: 1, sum: 0 })).toBe(
      'limit once: 1 call already for inv_1 in the last 90d; at most 1',
    );
    expect(limitProblem(sum, { count: 1, sum: 18.21 })).toBe(
      'limit within: 18.21 already for inv_1 in the last 1d, plus 18.2 makes 36.41, above 36.4',
    );
  });
});
