import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { DecisionRecord } from '@baton/contracts';
import { parseWorkflow, type WorkflowDefinition } from '@baton/workflow';
import { checkToolCall, idempotencyKeyFor, simulatedResult } from './tool-call-policy.js';

const loaded = parseWorkflow(
  readFileSync(
    new URL('../../../../../workflows/billing-dispute/workflow.yaml', import.meta.url),
    'utf8',
  ),
);
if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
const workflow: WorkflowDefinition = loaded.workflow;

const act = (tool: string | undefined, args: Record<string, unknown>): DecisionRecord => ({
  next: 'act',
  ...(tool ? { tool } : {}),
  args,
  label: 'disputed-charge',
  confidence: 0.9,
  rationale: 'r',
  decidedBy: 'rules',
});
const credit = { customerId: 'cus_1001', invoiceId: 'inv_2001', amount: 18 };

describe(checkToolCall.name, () => {
  it('lets a granted tool with its required arguments through', () => {
    const verdict = checkToolCall(workflow, act('issue-credit', credit));
    expect(verdict.ok && verdict.grant.name).toBe('issue-credit');
  });

  it('refuses a tool the workflow does not grant', () => {
    expect(checkToolCall(workflow, act('wire-money', credit))).toEqual({
      ok: false,
      error: 'tool wire-money is not granted',
    });
  });

  it('refuses a decision that is not an act, or names no tool', () => {
    expect(checkToolCall(workflow, { ...act('issue-credit', credit), next: 'escalate' })).toEqual({
      ok: false,
      error: 'a "escalate" decision executes no tool',
    });
    expect(checkToolCall(workflow, act(undefined, credit))).toEqual({
      ok: false,
      error: 'the decision names no tool',
    });
  });

  it('names every missing required argument (empty text counts as missing)', () => {
    expect(checkToolCall(workflow, act('issue-credit', { customerId: '', amount: 5 }))).toEqual({
      ok: false,
      error: 'tool issue-credit needs customerId, invoiceId',
    });
  });

  it('refuses an amount above the ceiling, or one that is not a number', () => {
    expect(checkToolCall(workflow, act('issue-credit', { ...credit, amount: 500 })).ok).toBe(true);
    expect(checkToolCall(workflow, act('issue-credit', { ...credit, amount: 500.01 }))).toEqual({
      ok: false,
      error: 'amount 500.01 exceeds the maximum 500 for tool issue-credit',
    });
    expect(checkToolCall(workflow, act('issue-credit', { ...credit, amount: '18' }))).toEqual({
      ok: false,
      error: 'tool issue-credit takes a numeric amount',
    });
  });
});

describe(idempotencyKeyFor.name, () => {
  it('is the run, the seq of the action envelope and the tool', () => {
    const envelope = {
      runId: 'r1',
      step: { name: 'x', kind: 'action' as const, seq: 3, attempt: 2 },
    };
    expect(idempotencyKeyFor(envelope, 'issue-credit')).toBe('r1:3:issue-credit');
  });
});

describe(simulatedResult.name, () => {
  it('records what would have been executed, under the same key', () => {
    expect(simulatedResult('issue-credit', credit, 'r1:3:issue-credit')).toEqual({
      status: 'simulated',
      output: {
        wouldExecute: { tool: 'issue-credit', args: credit, idempotencyKey: 'r1:3:issue-credit' },
      },
      idempotencyKey: 'r1:3:issue-credit',
    });
  });
});
