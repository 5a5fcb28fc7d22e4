import { describe, expect, it } from 'vitest';
import type { PublishSpec } from '@baton/workflow';
import { checkGate, type GateBacktest } from './publish-gate.js';

const gate: PublishSpec = {
  requires: ['backtest', 'cases'],
  backtest: { minAgreement: 0.9, maxNewRefusedWrites: 0, since: '7d', minRuns: 2 },
};
const backtest = (agreementRate: number | null, newRefusedWrites = 0): GateBacktest => ({
  backtestId: 'b1',
  window: { since: '2026-03-01T00:00:00.000Z', until: '2026-03-08T00:00:00.000Z' },
  totals: { runs: 3, corrections: { agreementRate }, newRefusedWrites },
});

describe('checkGate', () => {
  it('meets a gate whose backtest and cases are at their thresholds', () => {
    const checks = checkGate(gate, {
      against: 1,
      backtest: backtest(0.9),
      cases: { id: 'c1', passed: 4, failed: 0 },
    });
    expect(checks.map((c) => [c.requirement, c.met])).toEqual([
      ['backtest', true],
      ['cases', true],
    ]);
    expect(checks[0]).toMatchObject({
      backtestId: 'b1',
      summary: 'backtest b1 against version 1 meets the gate',
      measures: [
        { name: 'agreementRate', measured: 0.9, threshold: 0.9, bound: 'at-least', met: true },
        { name: 'newRefusedWrites', measured: 0, threshold: 0, bound: 'at-most', met: true },
        { name: 'runs', measured: 3, threshold: 2, met: true },
        { name: 'windowMinutes', measured: 10080, threshold: 10080, met: true },
      ],
    });
  });

  it('names each threshold a regressing candidate misses', () => {
    const [check] = checkGate(gate, {
      against: 1,
      backtest: backtest(0.5, 2),
      cases: undefined,
    });
    expect(check).toMatchObject({ met: false, backtestId: 'b1' });
    expect(check!.summary).toBe(
      'backtest b1 against version 1: agreementRate 0.5 (at least 0.9), newRefusedWrites 2 (at most 0)',
    );
  });

  it('does not meet a requirement with nothing to measure', () => {
    const checks = checkGate(gate, { against: 1, backtest: backtest(null), cases: undefined });
    expect(checks[0]!.measures[0]).toMatchObject({ measured: null, met: false });
    expect(checks[1]).toMatchObject({
      met: false,
      caseResultId: null,
      summary: 'no case results recorded for this version (baton cases records them)',
    });
    expect(
      checkGate(gate, { against: undefined, backtest: undefined, cases: undefined })[0],
    ).toMatchObject({ met: false, summary: 'no live version to backtest against' });
    expect(
      checkGate(gate, {
        against: 1,
        backtest: undefined,
        cases: { id: 'c2', passed: 3, failed: 1 },
      })[1],
    ).toMatchObject({ met: false, caseResultId: 'c2', summary: '1 of 4 cases failed' });
  });
});
