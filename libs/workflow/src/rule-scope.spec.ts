import type { RunState } from '@baton/contracts';
import { describe, expect, it } from 'vitest';
import { doneActions, evidenceBySource, failedActions, ruleScope } from './rule-scope.js';

const state = (overrides: Partial<RunState> = {}): RunState => ({
  trigger: {
    eventType: 'support.ticket.created',
    idempotencyKey: 'k-1',
    data: { customerId: 'cus_1', message: 'charged twice' },
    receivedAt: '2026-01-01T00:00:00.000Z',
  },
  evidence: [],
  weakEvidence: false,
  history: [],
  ...overrides,
});

describe('rule scope', () => {
  it('gives evidence by source: one item its content, several the list of contents', () => {
    const evidence = evidenceBySource(
      state({
        evidence: [
          { source: 'customer', kind: 'record', content: { name: 'Ada' }, weak: false },
          { source: 'policy', kind: 'passage', content: 'refunds within 30 days', weak: false },
          { source: 'policy', kind: 'passage', content: 'duplicates are refunded', weak: true },
        ],
      }),
    );
    expect(evidence).toEqual({
      customer: { name: 'Ada' },
      policy: ['refunds within 30 days', 'duplicates are refunded'],
    });
  });

  it('keeps the last succeeded or simulated action per tool in done, never a failed one', () => {
    const done = doneActions([
      {
        name: 'issue-credit',
        kind: 'action',
        seq: 3,
        outcome: 'failed',
        output: { args: { amount: 1 } },
      },
      {
        name: 'issue-credit',
        kind: 'action',
        seq: 6,
        outcome: 'succeeded',
        output: { args: { amount: 20 }, result: { status: 'succeeded' } },
      },
      { name: 'draft-reply', kind: 'action', seq: 9, outcome: 'failed', output: { args: {} } },
      {
        name: 'search-policy',
        kind: 'action',
        seq: 10,
        outcome: 'simulated',
        output: { args: { query: 'q' } },
      },
      { name: 'validate', kind: 'validation', seq: 2, outcome: 'failed', output: { message: 'x' } },
    ]);
    expect(done).toEqual({
      'issue-credit': { args: { amount: 20 }, result: { status: 'succeeded' } },
      'search-policy': { args: { query: 'q' }, result: undefined },
    });
  });

  it('keeps the last failed or refused action per tool in failed, with its error', () => {
    const failed = failedActions([
      {
        name: 'issue-credit',
        kind: 'action',
        seq: 3,
        outcome: 'refused',
        output: { args: { amount: 1 }, result: { status: 'refused', error: 'limit once' } },
      },
      {
        name: 'draft-reply',
        kind: 'action',
        seq: 5,
        outcome: 'succeeded',
        output: { args: {}, result: { status: 'succeeded' } },
      },
    ]);
    expect(failed).toEqual({ 'issue-credit': { args: { amount: 1 }, error: 'limit once' } });
  });

  it('puts trigger, evidence, weakEvidence, done, failed and history in one scope', () => {
    const history = [
      { name: 'review', kind: 'escalation' as const, seq: 4, outcome: 'approved', output: {} },
    ];
    const scope = ruleScope(state({ weakEvidence: true, history }));
    expect(scope).toEqual({
      trigger: expect.objectContaining({ data: { customerId: 'cus_1', message: 'charged twice' } }),
      evidence: {},
      weakEvidence: true,
      done: {},
      failed: {},
      history,
    });
  });
});
