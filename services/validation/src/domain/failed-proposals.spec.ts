import type { RunState, StepRecord } from '@baton/contracts';
import { describe, expect, it } from 'vitest';
import { failedValidations } from './failed-proposals.js';

const state = (history: StepRecord[]): RunState => ({
  trigger: { eventType: 'e', idempotencyKey: 'k', data: {}, receivedAt: '2026-01-01T00:00:00Z' },
  evidence: [],
  weakEvidence: false,
  history,
});

describe(failedValidations.name, () => {
  it('counts the failed proposals of the run, not failed actions', () => {
    const failed: StepRecord = {
      name: 'validate',
      kind: 'validation',
      seq: 2,
      outcome: 'failed',
      output: {},
    };
    const action: StepRecord = {
      name: 'issue-credit',
      kind: 'action',
      seq: 4,
      outcome: 'failed',
      output: {},
    };
    expect(failedValidations(state([failed, action, { ...failed, seq: 6 }]))).toBe(2);
  });
});
