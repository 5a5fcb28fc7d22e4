import { windowMs, type PublishSpec } from '@baton/workflow';

/** One threshold of a gate requirement: what was measured beside what the gate asks. */
export interface GateMeasureOf {
  /** agreementRate, newRefusedWrites, runs, windowMinutes (backtest); failedCases, cases (cases). */
  name: string;
  /** Null when there is nothing to measure (no backtest, no corrected run, no recorded result). */
  measured: number | null;
  threshold: number;
  /** at-least: measured ≥ threshold; at-most: measured ≤ threshold. */
  bound: 'at-least' | 'at-most';
  met: boolean;
}

/** One requirement of the gate: met or not, and why. */
export interface GateCheckOf {
  requirement: 'backtest' | 'cases';
  met: boolean;
  /** One line for people. */
  summary: string;
  /** The backtest read (backtest), or null when there was none. */
  backtestId: string | null;
  /** The case result read (cases), or null when there was none. */
  caseResultId: string | null;
  measures: GateMeasureOf[];
}

/** What the gate reads of a backtest: its most recent finished one against the live version. */
export interface GateBacktest {
  backtestId: string;
  window: { since: string; until: string };
  totals: {
    runs: number;
    corrections: { agreementRate: number | null };
    newRefusedWrites: number;
  };
}

/** What the gate reads of a case suite: the most recent result recorded for the version. */
export interface GateCases {
  id: string;
  passed: number;
  failed: number;
}

export interface GateInputs {
  /** The live version the candidate would replace; undefined when there is none. */
  against: number | undefined;
  backtest: GateBacktest | undefined;
  cases: GateCases | undefined;
}

function measure(
  name: string,
  measured: number | null,
  threshold: number,
  bound: GateMeasureOf['bound'],
): GateMeasureOf {
  const met =
    measured !== null && (bound === 'at-least' ? measured >= threshold : measured <= threshold);
  return { name, measured, threshold, bound, met };
}

const describe = (measures: GateMeasureOf[]) =>
  measures
    .filter((m) => !m.met)
    .map(
      (m) =>
        `${m.name} ${m.measured ?? 'none'} (${m.bound === 'at-least' ? 'at least' : 'at most'} ${m.threshold})`,
    )
    .join(', ');

/**
 * A publish gate checked (docs/changing-workflows.md#the-publish-gate): each requirement the
 * definition declares, met or not, with what was measured beside the threshold. A requirement
 * with nothing to measure (no finished backtest, no recorded case result) is not met.
 */
export function checkGate(gate: PublishSpec, inputs: GateInputs): GateCheckOf[] {
  return gate.requires.map((requirement) =>
    requirement === 'backtest' ? backtestCheck(gate, inputs) : casesCheck(inputs),
  );
}

function backtestCheck(gate: PublishSpec, { against, backtest }: GateInputs): GateCheckOf {
  const thresholds = gate.backtest!;
  const totals = backtest?.totals;
  const window = backtest && {
    since: Date.parse(backtest.window.since),
    until: Date.parse(backtest.window.until),
  };
  const measures = [
    measure(
      'agreementRate',
      totals?.corrections.agreementRate ?? null,
      thresholds.minAgreement,
      'at-least',
    ),
    measure(
      'newRefusedWrites',
      totals?.newRefusedWrites ?? null,
      thresholds.maxNewRefusedWrites,
      'at-most',
    ),
    measure('runs', totals?.runs ?? null, thresholds.minRuns ?? 1, 'at-least'),
    ...(thresholds.since
      ? [
          measure(
            'windowMinutes',
            window ? Math.floor((window.until - window.since) / 60_000) : null,
            windowMs(thresholds.since) / 60_000,
            'at-least',
          ),
        ]
      : []),
  ];
  const met = measures.every((m) => m.met);
  const summary =
    against === undefined
      ? 'no live version to backtest against'
      : !backtest
        ? `no finished backtest of this version against version ${against}`
        : met
          ? `backtest ${backtest.backtestId} against version ${against} meets the gate`
          : `backtest ${backtest.backtestId} against version ${against}: ${describe(measures)}`;
  return {
    requirement: 'backtest',
    met,
    summary,
    backtestId: backtest?.backtestId ?? null,
    caseResultId: null,
    measures,
  };
}

function casesCheck({ cases }: GateInputs): GateCheckOf {
  const measures = [
    measure('cases', cases ? cases.passed + cases.failed : null, 1, 'at-least'),
    measure('failedCases', cases?.failed ?? null, 0, 'at-most'),
  ];
  const met = measures.every((m) => m.met);
  const summary = !cases
    ? 'no case results recorded for this version (baton cases records them)'
    : cases.passed + cases.failed === 0
      ? 'the recorded case result has no cases'
      : met
        ? `all ${cases.passed} cases passed`
        : `${cases.failed} of ${cases.passed + cases.failed} cases failed`;
  return {
    requirement: 'cases',
    met,
    summary,
    backtestId: null,
    caseResultId: cases?.id ?? null,
    measures,
  };
}
