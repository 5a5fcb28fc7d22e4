import { describe, expect, it } from 'vitest';
import { stopReason } from './stopping-rules.js';

const now = new Date('2026-01-01T12:00:00.000Z');
const envelope = (
  budget: Partial<{ stepsLeft: number; tokensLeft: number; costLeftUsd: number }> = {},
  deadline = '2026-01-01T13:00:00.000Z',
) => ({
  deadline,
  budget: { stepsLeft: 5, tokensLeft: 1000, costLeftUsd: 0.5, ...budget },
});

describe(stopReason.name, () => {
  it('lets a run with steps, time, tokens and money left go on', () => {
    expect(stopReason(envelope(), now)).toBeUndefined();
  });

  it('stops at the step limit, the deadline, the token budget and the cost budget', () => {
    expect(stopReason(envelope({ stepsLeft: 0 }), now)).toBe('stopped: max steps reached');
    expect(stopReason(envelope({}, '2026-01-01T12:00:00.000Z'), now)).toBe(
      'stopped: deadline passed (2026-01-01T12:00:00.000Z)',
    );
    expect(stopReason(envelope({ tokensLeft: 0 }), now)).toBe('stopped: token budget spent');
    expect(stopReason(envelope({ costLeftUsd: 0 }), now)).toBe('stopped: cost budget spent');
  });

  it('names the step limit first when several limits are reached', () => {
    expect(
      stopReason(envelope({ stepsLeft: 0, tokensLeft: 0 }, '2025-01-01T00:00:00.000Z'), now),
    ).toBe('stopped: max steps reached');
  });
});
