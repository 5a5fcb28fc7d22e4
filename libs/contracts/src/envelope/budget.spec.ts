import { describe, expect, it } from 'vitest';
import { overspent, stopReason } from './budget.js';

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

describe('stopReason without spending', () => {
  it('stops steps that are not the spending kind only for steps and time', () => {
    expect(stopReason(envelope({ tokensLeft: 0, costLeftUsd: 0 }), now, {})).toBeUndefined();
    expect(stopReason(envelope({ stepsLeft: 0 }), now, {})).toBe('stopped: max steps reached');
  });
});

describe(overspent.name, () => {
  it('lets a call within the budget through, exactly at the budget included', () => {
    expect(
      overspent(envelope({ tokensLeft: 1000 }), { tokens: 1000, costUsd: 0.5 }),
    ).toBeUndefined();
  });

  it('names a call that used more tokens or money than the run had left', () => {
    expect(overspent(envelope({ tokensLeft: 1000 }), { tokens: 1001, costUsd: 0 })).toBe(
      "stopped: the model call used 1001 tokens with 1000 left in the run's budget; its decision is not acted on",
    );
    expect(overspent(envelope({ costLeftUsd: 0.01 }), { tokens: 10, costUsd: 0.02 })).toMatch(
      /cost \$0\.02 with \$0\.01 left/,
    );
  });
});
