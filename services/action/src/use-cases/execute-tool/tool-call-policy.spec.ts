import { describe, expect, it } from 'vitest';
import { idempotencyKeyFor, simulatedResult } from './tool-call-policy.js';

const credit = { customerId: 'cus_1001', invoiceId: 'inv_2001', amount: 18 };

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
