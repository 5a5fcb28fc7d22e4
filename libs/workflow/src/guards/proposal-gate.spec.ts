import type { DecisionRecord, RunState, StepRecord } from '@baton/contracts';
import { describe, expect, it } from 'vitest';
import { WorkflowCatalog } from '../workflow-catalog.js';
import { checkProposal, describeProblems } from './proposal-gate.js';

const workflow = WorkflowCatalog.fromDirectory(
  new URL('../../../../workflows/', import.meta.url).pathname,
).get('billing-dispute', 1)!;

const invoices = [
  { id: 'inv_2001', amount: 36, status: 'paid' },
  { id: 'inv_2002', amount: 18, status: 'paid' },
];
const state = (history: StepRecord[] = [], data: Record<string, unknown> = {}): RunState => ({
  trigger: {
    eventType: 'billing.dispute.opened',
    idempotencyKey: 'k',
    data: { customerId: 'cus_1001', message: 'charged twice', ...data },
    receivedAt: '2026-01-01T00:00:00Z',
  },
  evidence: [
    { source: 'customer', kind: 'record', content: { id: 'cus_1001' }, weak: false },
    { source: 'invoices', kind: 'record', content: invoices, weak: false },
  ],
  weakEvidence: false,
  history,
});
const credit = (
  args: Record<string, unknown>,
  overrides: Partial<DecisionRecord> = {},
): DecisionRecord => ({
  next: 'act',
  tool: 'issue-credit',
  args,
  label: 'duplicate-charge',
  confidence: 0.9,
  rationale: 'r',
  decidedBy: 'rules',
  ...overrides,
});
const valid = { customerId: 'cus_1001', invoiceId: 'inv_2001', amount: 20 };
const messages = (decision: DecisionRecord, run = state()) =>
  checkProposal(workflow, decision, run).problems.map((problem) => problem.message);

describe(checkProposal.name, () => {
  it('passes a small credit on one of the customer’s invoices, unchanged', () => {
    const verdict = checkProposal(workflow, credit(valid), state());
    expect(verdict).toEqual({ decision: credit(valid), problems: [] });
  });

  it('fills in a pinned argument the proposal left out', () => {
    const { customerId: _, ...withoutCustomer } = valid;
    const verdict = checkProposal(workflow, credit(withoutCustomer), state());
    expect(verdict.problems).toEqual([]);
    expect(verdict.decision.args).toEqual(valid);
  });

  it('refuses a pinned argument set to anything else, naming it, whoever proposed it', () => {
    for (const decidedBy of ['rules', 'model', 'reviewer'] as const) {
      const verdict = checkProposal(
        workflow,
        credit({ ...valid, customerId: 'cus_1002' }, { decidedBy }),
        state(),
        { approved: decidedBy === 'reviewer' },
      );
      expect(verdict.problems).toEqual([
        {
          guard: 'pinned',
          subject: 'customerId',
          message:
            'argument customerId is pinned to trigger.data.customerId = "cus_1001"; the proposal set "cus_1002"',
        },
      ]);
    }
  });

  it('refuses a pinned argument the run has no value for', () => {
    const run = state();
    run.trigger.data = { message: 'no customer' };
    expect(messages(credit(valid), run)).toContain(
      'argument customerId is pinned to trigger.data.customerId, which has no value in this run (the run has no "customerId")',
    );
  });

  it('refuses an invoice of another customer and a credit above the invoice', () => {
    expect(messages(credit({ ...valid, invoiceId: 'inv_2101' }))).toEqual([
      "The invoice is not one of the customer's invoices.",
    ]);
    expect(messages(credit({ ...valid, invoiceId: 'inv_2002', amount: 18.01 }))).toEqual([
      'A credit never exceeds the invoice it is for.',
    ]);
  });

  it('fails a check closed when it cannot be evaluated (no invoices in the evidence)', () => {
    const run = state();
    run.evidence = run.evidence.filter((item) => item.source !== 'invoices');
    expect(messages(credit(valid), run)).toEqual([
      'The invoice is not one of the customer\'s invoices. (check customers-own-invoice could not be evaluated, so it fails: condition 0 (!evidence.invoices.exists(i, i.id == args.invoiceId)): the run has no "invoices")',
      'A credit never exceeds the invoice it is for. (check within-invoice-amount could not be evaluated, so it fails: condition 0 (evidence.invoices.exists(i, i.id == args.invoiceId && args.amount > i.amount)): the run has no "invoices")',
    ]);
  });

  it('names every problem at once: ungranted tool alone, else missing args, maxAmount and checks', () => {
    expect(messages(credit(valid, { tool: 'wire-money' }))).toEqual([
      'tool "wire-money" is not granted by billing-dispute@1 (granted: issue-credit, draft-reply, search-policy)',
    ]);
    expect(messages(credit({ customerId: 'cus_1001', amount: '' }))).toEqual([
      'missing required argument(s) of issue-credit: invoiceId, amount',
      'The invoice is not one of the customer\'s invoices. (check customers-own-invoice could not be evaluated, so it fails: condition 0 (!evidence.invoices.exists(i, i.id == args.invoiceId)): the run has no "invoiceId")',
      'A credit never exceeds the invoice it is for. (check within-invoice-amount could not be evaluated, so it fails: condition 0 (evidence.invoices.exists(i, i.id == args.invoiceId && args.amount > i.amount)): the run has no "invoiceId")',
    ]);
    const over = messages(credit({ ...valid, amount: 900 }));
    expect(over).toContain('amount 900 is above the maximum of 500 for issue-credit');
    expect(over).toContain('A credit never exceeds the invoice it is for.');
    expect(messages(credit({ ...valid, amount: '20' }))[0]).toBe(
      'amount must be a number, got "20"',
    );
    expect(messages(credit({ ...valid, amount: -5 }))).toEqual([
      'A credit amount must be positive.',
    ]);
  });

  it("applies a tool's checks only to that tool", () => {
    const reply = credit(
      { customerId: 'cus_1001', body: 'Hello', amount: -5 },
      { tool: 'draft-reply' },
    );
    expect(messages(reply)).toEqual([]);
  });

  it('refuses a proposal that is not an act', () => {
    expect(messages({ ...credit(valid), next: 'escalate' })).toEqual([
      'the proposal names no tool to run',
    ]);
  });

  it('asks for approval above $50, and for a model credit it is not sure of, with the reasons', () => {
    expect(
      checkProposal(workflow, credit({ ...valid, amount: 30 }), state()).approval,
    ).toBeUndefined();
    expect(
      checkProposal(workflow, credit({ ...valid, amount: 36 }, { confidence: 0.1 }), state())
        .approval,
    ).toBeUndefined();
    expect(
      checkProposal(workflow, credit({ ...valid, amount: 36 }), state()).approval,
    ).toBeUndefined();
    const unsure = credit(valid, { decidedBy: 'model', confidence: 0.7 });
    expect(checkProposal(workflow, unsure, state()).approval).toEqual({
      index: 1,
      reason: 'The model is less than 80 % sure of this credit; a reviewer confirms it.',
    });
  });

  it('asks no approval of a reviewer’s decision (it is one) but applies every other guard', () => {
    const reviewed = credit({ ...valid, amount: 36 }, { decidedBy: 'reviewer' });
    expect(checkProposal(workflow, reviewed, state(), { approved: true })).toEqual({
      decision: reviewed,
      problems: [],
    });
    const edited = credit({ ...valid, amount: 37 }, { decidedBy: 'reviewer' });
    expect(
      describeProblems(checkProposal(workflow, edited, state(), { approved: true }).problems),
    ).toBe('A credit never exceeds the invoice it is for.');
  });

  it('says when exactly this call already failed in the run, with the error', () => {
    const failed: StepRecord = {
      name: 'issue-credit',
      kind: 'action',
      seq: 4,
      outcome: 'failed',
      output: {
        args: valid,
        result: { status: 'failed', error: 'violates check (SQLSTATE 23514)' },
      },
    };
    expect(checkProposal(workflow, credit(valid), state([failed])).repeats).toEqual({
      tool: 'issue-credit',
      error: 'violates check (SQLSTATE 23514)',
      seq: 4,
    });
    expect(
      checkProposal(workflow, credit({ ...valid, amount: 19 }), state([failed])).repeats,
    ).toBeUndefined();
  });
});

describe('checkProposal: order and risk declared by the workflow', () => {
  const base = WorkflowCatalog.fromDirectory(
    new URL('../../../../workflows/', import.meta.url).pathname,
  ).get('billing-dispute', 1)!;
  // The reply only after the credit; every write of a P1 dispute waits for a person.
  const ordered = {
    ...base,
    tools: base.tools.map((tool) =>
      tool.name === 'draft-reply' ? { ...tool, requires: ['issue-credit'] } : tool,
    ),
    validation: {
      ...base.validation,
      approvals: [
        ...base.validation.approvals,
        {
          when: ["has(trigger.data.priority) && trigger.data.priority == 'P1'"],
          reason: 'P1 disputes always need a person.',
        },
      ],
    },
  } as typeof base;
  const reply = credit({ customerId: 'cus_1001', body: 'Hello' }, { tool: 'draft-reply' });

  it('refuses a tool whose prerequisite has not succeeded in the run, naming it', () => {
    expect(checkProposal(ordered, reply, state()).problems).toEqual([
      {
        guard: 'requires',
        subject: 'issue-credit',
        message: 'draft-reply runs only after issue-credit succeeded in this run, and it has not',
      },
    ]);
    const credited: StepRecord = {
      name: 'issue-credit',
      kind: 'action',
      seq: 3,
      outcome: 'succeeded',
      output: { args: valid, result: { status: 'succeeded' } },
    };
    expect(checkProposal(ordered, reply, state([credited])).problems).toEqual([]);
  });

  it('applies an approval without a tool to every write, on facts of the case', () => {
    const p1 = state([], { priority: 'P1' });
    expect(checkProposal(ordered, credit(valid), p1).approval?.reason).toBe(
      'P1 disputes always need a person.',
    );
    expect(checkProposal(ordered, credit(valid), state()).approval).toBeUndefined();
    const search = credit({ query: 'refunds' }, { tool: 'search-policy' });
    expect(checkProposal(ordered, search, p1).approval).toBeUndefined();
  });
});
