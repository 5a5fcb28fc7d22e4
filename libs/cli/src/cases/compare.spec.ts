import { readFileSync } from 'node:fs';
import type { WorkflowDefinition } from '@baton/workflow';
import { describe, expect, it } from 'vitest';
import type { Run, RunStep, TaskSummary } from '../api-types.js';
import { billingRun, billingTask } from '../testing/billing-run.fixture.js';
import { compare, matches, observe } from './compare.js';
import { RunScript } from './scripted-model.js';

// Loaded on demand, as the CLI itself loads it.
const { parseWorkflow } = await import('@baton/workflow');
const loaded = parseWorkflow(
  readFileSync(
    new URL('../../../../workflows/billing-dispute/workflow.yaml', import.meta.url),
    'utf8',
  ),
  { format: 'yaml' },
);
if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
const billing: WorkflowDefinition = loaded.workflow;

const task = (overrides: Partial<TaskSummary> = {}): TaskSummary => ({
  ...billingTask,
  ...overrides,
});

/** A run escalated because the model proposed an ungranted tool (as the decision records it). */
const refusedRun: Run = {
  ...billingRun,
  status: 'waiting-for-review',
  reason: null,
  steps: [
    billingRun.steps[0]!,
    {
      seq: 1,
      name: 'decide',
      kind: 'decision',
      outcome: 'escalate',
      output: {
        decision: {
          next: 'escalate',
          label: 'ungranted-tool',
          confidence: 1,
          rationale: 'model proposed tool "refund-all", which this workflow does not grant',
          decidedBy: 'model',
        },
        refusedProposal: { next: 'act', tool: 'refund-all', args: {}, label: 'duplicate-charge' },
      },
    },
    { seq: 2, name: 'escalate', kind: 'escalation', outcome: 'task-created', output: {} },
  ],
};

describe(observe.name, () => {
  it('reads the writes (action steps of write tools that succeeded), the last label and the first task', () => {
    const observed = observe(billingRun, [task()], billing);
    expect(observed).toMatchObject({
      status: 'completed',
      escalated: true,
      escalationReason: "Credits above $50 need a reviewer's approval (refund policy §2).",
      label: 'resolved',
      reason: 'The credit decision is made and the reply is drafted.',
      refused: [],
      executedUngranted: [],
    });
    expect(observed.writes.map((w) => [w.tool, w.args['amount'], w.outcome])).toEqual([
      ['issue-credit', 60, 'succeeded'],
      ['draft-reply', undefined, 'succeeded'],
    ]);
  });

  it('counts shadow-mode writes (simulated) and not failed or read-tool actions', () => {
    const action = (seq: number, tool: string, outcome: string): RunStep => ({
      seq,
      name: `execute-${tool}`,
      kind: 'action',
      outcome,
      output: { tool, args: { n: seq } },
    });
    const run: Run = {
      ...billingRun,
      steps: [
        action(1, 'issue-credit', 'failed'),
        action(2, 'search-policy', 'succeeded'),
        action(3, 'issue-credit', 'simulated'),
        action(3, 'issue-credit', 'simulated'), // the same step recorded twice
      ],
    };
    expect(observe(run, [], billing).writes.map((w) => [w.tool, w.seq, w.outcome])).toEqual([
      ['issue-credit', 3, 'simulated'],
    ]);
  });

  it('reads refused proposals from the decision output, and waiting-for-review as waiting', () => {
    const observed = observe(refusedRun, [], billing);
    expect(observed).toMatchObject({
      status: 'waiting',
      escalated: true,
      label: 'ungranted-tool',
      refused: ['refund-all'],
      writes: [],
    });
  });

  it('reads blocked proposals: validation failures with problems, and calls the action service refused', () => {
    const run: Run = {
      ...billingRun,
      status: 'waiting-for-review',
      steps: [
        {
          seq: 2,
          name: 'validate',
          kind: 'validation',
          outcome: 'failed',
          input: { tool: 'issue-credit', args: { customerId: 'cus_1002' }, decidedBy: 'model' },
          output: {
            message:
              'argument customerId is pinned to trigger.data.customerId = "cus_1001"; the proposal set "cus_1002"',
            problems: [{ guard: 'pinned', subject: 'customerId', message: 'pinned' }],
            failures: 1,
            escalated: false,
          },
        },
        // Passed, approval needed, or the record of a result: not blocked.
        { seq: 4, name: 'validate', kind: 'validation', outcome: 'passed', output: {} },
        {
          seq: 5,
          name: 'check-issue-credit',
          kind: 'validation',
          outcome: 'recorded',
          output: { record: { outcome: 'failed' } },
        },
        {
          seq: 6,
          name: 'execute-issue-credit',
          kind: 'action',
          outcome: 'refused',
          output: {
            tool: 'issue-credit',
            args: { invoiceId: 'inv_2002' },
            refused: true,
            result: {
              status: 'refused',
              error:
                'limit one-credit-per-invoice: 1 call already for inv_2002 in the last 90d; at most 1',
            },
          },
        },
        // An ungranted tool refused by validation's or the action's gate is `refused`, not blocked.
        {
          seq: 7,
          name: 'validate',
          kind: 'validation',
          outcome: 'failed',
          input: { tool: 'refund-all' },
          output: { message: 'not granted', problems: [{ guard: 'grant', message: 'x' }] },
        },
        {
          seq: 8,
          name: 'execute-wire-money',
          kind: 'action',
          outcome: 'refused',
          output: { tool: 'wire-money', refused: true, result: { status: 'refused' } },
        },
      ],
    };
    const observed = observe(run, [], billing);
    expect(observed.blocked).toEqual([
      {
        tool: 'issue-credit',
        reason:
          'argument customerId is pinned to trigger.data.customerId = "cus_1001"; the proposal set "cus_1002"',
        by: 'validation',
        seq: 2,
      },
      {
        tool: 'issue-credit',
        reason:
          'limit one-credit-per-invoice: 1 call already for inv_2002 in the last 90d; at most 1',
        by: 'action',
        seq: 6,
      },
    ]);
    expect(observed.refused).toEqual(['refund-all', 'wire-money']);
  });

  it('flags an ungranted tool an action step executed', () => {
    const run: Run = {
      ...billingRun,
      steps: [
        { seq: 1, name: 'x', kind: 'action', outcome: 'succeeded', output: { tool: 'refund-all' } },
      ],
    };
    expect(observe(run, [], billing).executedUngranted).toEqual(['refund-all']);
  });
});

describe(compare.name, () => {
  const observed = observe(billingRun, [task()], billing);

  it('finds no difference when every given field matches', () => {
    expect(
      compare(
        {
          status: 'completed',
          escalated: true,
          escalationReason: 'ABOVE $50',
          label: 'resolved',
          reason: 'reply is drafted',
          writes: [
            { tool: 'issue-credit', args: { amount: 60, invoiceId: 'inv_2001' } },
            { tool: 'draft-reply', args: { body: '~credited 60 TO invoice' } },
          ],
          refused: [],
        },
        observed,
      ),
    ).toEqual([]);
  });

  it('names each field that differs with what was expected and what happened', () => {
    expect(
      compare(
        {
          status: 'waiting',
          escalated: false,
          escalationReason: 'unknown customer',
          label: 'unclear',
          reason: 'model unavailable',
          refused: [{ tool: 'refund-all' }],
        },
        observed,
      ),
    ).toEqual([
      {
        field: 'status',
        expected: 'waiting',
        actual: 'completed (The credit decision is made and the reply is drafted.)',
      },
      {
        field: 'escalated',
        expected: 'false',
        actual: "true (Credits above $50 need a reviewer's approval (refund policy §2).)",
      },
      {
        field: 'escalationReason',
        expected: 'contains "unknown customer"',
        actual: JSON.stringify("Credits above $50 need a reviewer's approval (refund policy §2)."),
      },
      { field: 'label', expected: 'unclear', actual: 'resolved' },
      {
        field: 'reason',
        expected: 'contains "model unavailable"',
        actual: '"The credit decision is made and the reply is drafted."',
      },
      { field: 'refused', expected: 'refund-all', actual: 'none' },
    ]);
  });

  it('compares writes exactly in count and order, and arguments as a subset', () => {
    expect(compare({ status: 'completed', writes: [] }, observed)).toEqual([
      {
        field: 'writes',
        expected: 'no writes',
        actual: expect.stringMatching(
          /^issue-credit \{ customerId: "cus_1001", .*amount: 60.*\}; draft-reply \{/,
        ),
      },
    ]);
    expect(
      compare(
        {
          status: 'completed',
          writes: [{ tool: 'issue-credit', args: { amount: 80 } }, { tool: 'draft-reply' }],
        },
        observed,
      ),
    ).toEqual([{ field: 'writes.0.args.amount', expected: '80', actual: '60' }]);
    expect(
      compare(
        { status: 'completed', writes: [{ tool: 'draft-reply' }, { tool: 'issue-credit' }] },
        observed,
      ),
    ).toEqual([{ field: 'writes.0.tool', expected: 'draft-reply', actual: 'issue-credit' }]);
    expect(
      compare(
        {
          status: 'completed',
          writes: [{ tool: 'issue-credit', args: { note: 'x' } }, { tool: 'draft-reply' }],
        },
        observed,
      ),
    ).toEqual([{ field: 'writes.0.args.note', expected: '"x"', actual: 'absent' }]);
  });

  it('compares blocked proposals exactly in count and order, reasons by ~substring', () => {
    const blocked = {
      ...observed,
      blocked: [
        { tool: 'issue-credit', reason: 'customerId is pinned', by: 'validation' as const, seq: 2 },
        { tool: 'draft-reply', reason: 'limit x: at most 1', by: 'action' as const, seq: 6 },
      ],
    };
    const base = { status: 'completed' as const };
    expect(
      compare(
        {
          ...base,
          blocked: [{ tool: 'issue-credit', reason: '~PINNED' }, { tool: 'draft-reply' }],
        },
        blocked,
      ),
    ).toEqual([]);
    expect(compare({ ...base, blocked: [] }, blocked)).toEqual([
      {
        field: 'blocked',
        expected: 'no proposal blocked',
        actual: 'issue-credit ("customerId is pinned"); draft-reply ("limit x: at most 1")',
      },
    ]);
    expect(compare({ ...base, blocked: [{ tool: 'issue-credit' }] }, observed)).toEqual([
      { field: 'blocked', expected: 'issue-credit', actual: 'no proposal blocked' },
    ]);
    expect(
      compare({ ...base, blocked: [{ tool: 'draft-reply' }, { tool: 'issue-credit' }] }, blocked),
    ).toEqual([{ field: 'blocked.0.tool', expected: 'draft-reply', actual: 'issue-credit' }]);
    expect(
      compare(
        {
          ...base,
          blocked: [{ tool: 'issue-credit', reason: '~maxAmount' }, { tool: 'draft-reply' }],
        },
        blocked,
      ),
    ).toEqual([
      {
        field: 'blocked.0.reason',
        expected: 'contains "maxAmount"',
        actual: '"customerId is pinned"',
      },
    ]);
    // Without `blocked`, blocked proposals are not compared.
    expect(compare(base, blocked)).toEqual([]);
  });

  it('fails a run that asked the model more, or fewer, times than scripted', () => {
    const over = new RunScript([{ status: 500 }]);
    over.take(1);
    over.take(1);
    expect(compare({ status: 'completed' }, observed, over)).toEqual([
      {
        field: 'model',
        expected: '1 call (as scripted)',
        actual: '2 calls: 1 beyond the script got HTTP 500 "no scripted reply left"',
      },
    ]);
    const under = new RunScript([{ text: 'a' }, { text: 'b' }]);
    under.take(1);
    expect(compare({ status: 'completed' }, observed, under)).toEqual([
      {
        field: 'model',
        expected: '2 calls (as scripted)',
        actual: '1 call: 1 scripted reply never asked for',
      },
    ]);
    const exact = new RunScript([{ text: 'a' }]);
    exact.take(1);
    expect(compare({ status: 'completed' }, observed, exact)).toEqual([]);
  });

  it('always fails a run that executed an ungranted tool', () => {
    expect(
      compare({ status: 'completed' }, { ...observed, executedUngranted: ['refund-all'] }),
    ).toEqual([
      {
        field: 'executed',
        expected: 'only granted tools',
        actual: 'ungranted refund-all executed',
      },
    ]);
  });
});

describe(matches.name, () => {
  it('matches equal values, ~substrings of text (any case), and mappings as subsets', () => {
    expect(matches(18, 18)).toBe(true);
    expect(matches(18, '18')).toBe(false);
    expect(matches('~Dana', 'Hello dana whitfield')).toBe(true);
    expect(matches('~Omar', 'Hello Dana')).toBe(false);
    expect(matches('~x', 5)).toBe(false);
    expect(matches('plain', 'plain text')).toBe(false);
    expect(matches({ a: { b: 1 } }, { a: { b: 1, c: 2 }, d: 3 })).toBe(true);
    expect(matches({ a: 1 }, { a: 2 })).toBe(false);
    expect(matches([1, '~b'], [1, 'ABC'])).toBe(true);
    expect(matches([1], [1, 2])).toBe(false);
    expect(matches(null, null)).toBe(true);
  });
});
