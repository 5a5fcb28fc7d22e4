import { canonicalJson } from '@baton/contracts';

/**
 * A run's course, the terms a backtest compares in: the candidate can never be reviewed (a
 * backtest run stops where it would ask a person), so the original run's outcome is read the
 * same way: did it complete on its own, ask a person, fail, or was it cancelled.
 */
export const COURSES = [
  'completed',
  'asks-a-person',
  'failed',
  'cancelled',
  'not-started',
  'running',
] as const;
export type Course = (typeof COURSES)[number];

/** The reason a backtest run ends with where it would have asked a person. */
export const BACKTEST_STOP_PREFIX = 'backtest: would ask a person: ';

/** A write a run proposed or made: the tool and its args. */
export interface ProposedWrite {
  tool: string;
  args: Record<string, unknown>;
}

/** One step of a run as the report reads it (`run_steps`). */
export interface ReportStep {
  seq: number;
  kind: string;
  outcome: string;
  output: unknown;
}

/** One run (original or backtest) as the report reads it: `runs` and its steps. */
export interface ReportRun {
  status: string;
  reason: string | null;
  escalationReason: string | null;
  reviewOutcome: string | null;
  reviewProposed: unknown;
  reviewEdited: unknown;
  steps: ReportStep[];
}

/** What one run did, in the report's terms. */
export interface RunFigures {
  course: Course;
  /** The run asked (or, in a backtest, would have asked) a person. */
  escalated: boolean;
  /** The first write it proposed (asked approval for, made, simulated or had refused). */
  proposal: ProposedWrite | null;
  /** Writes made (live) or simulated (shadow, and every backtest run). */
  writes: number;
  /** Write proposals validation or the action step refused. */
  refusedWrites: number;
  tokens: number;
  costUsd: number;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function writeOf(output: unknown, writeTools: ReadonlySet<string>): ProposedWrite | null {
  if (!isObject(output)) return null;
  const tool = output['tool'];
  if (typeof tool !== 'string' || !writeTools.has(tool)) return null;
  return { tool, args: isObject(output['args']) ? output['args'] : {} };
}

/** What a run did, from its row and its steps; `writeTools` are its version's write grants. */
export function figuresOf(run: ReportRun, writeTools: ReadonlySet<string>): RunFigures {
  const steps = [...run.steps].sort((a, b) => a.seq - b.seq);
  let proposal: ProposedWrite | null = null;
  let writes = 0;
  let refusedWrites = 0;
  let tokens = 0;
  let costUsd = 0;
  for (const step of steps) {
    const output = isObject(step.output) ? step.output : {};
    if (step.kind === 'decision' && isObject(output['model'])) {
      tokens += Number(output['model']['tokens'] ?? 0);
      costUsd += Number(output['model']['costUsd'] ?? 0);
    }
    let write: ProposedWrite | null = null;
    if (step.kind === 'action') {
      write = writeOf(output, writeTools);
      if (write && (step.outcome === 'succeeded' || step.outcome === 'simulated')) writes += 1;
      if (write && step.outcome === 'refused') refusedWrites += 1;
    } else if (step.kind === 'validation' && step.outcome === 'failed') {
      write = writeOf(output, writeTools);
      if (write) refusedWrites += 1;
    } else if (step.kind === 'escalation' && step.outcome === 'backtest-stopped') {
      write = writeOf(output['proposal'], writeTools);
    }
    proposal ??= write;
  }
  // A reviewed run's proposal is the one the reviewer saw (the ledger keeps it).
  if (run.reviewOutcome && isObject(run.reviewProposed)) {
    const reviewed = writeOf(run.reviewProposed, writeTools);
    if (reviewed) proposal = reviewed;
  }
  return {
    course: courseOf(run),
    escalated: run.escalationReason !== null,
    proposal,
    writes,
    refusedWrites,
    tokens,
    costUsd,
  };
}

function courseOf(run: ReportRun): Course {
  if (run.status === 'cancelled' && run.reason?.startsWith(BACKTEST_STOP_PREFIX))
    return 'asks-a-person';
  if (run.escalationReason !== null || run.reviewOutcome !== null) return 'asks-a-person';
  if (run.status === 'completed' || run.status === 'failed' || run.status === 'cancelled')
    return run.status;
  return run.status === 'waiting-for-review' ? 'asks-a-person' : 'running';
}

const sameWrite = (a: ProposedWrite | null, b: ProposedWrite | null) =>
  a !== null && b !== null && a.tool === b.tool && canonicalJson(a.args) === canonicalJson(b.args);

/** Whether the candidate did what the reviewer decided on the original run; null if not corrected. */
export function agreesWithCorrection(
  original: Pick<ReportRun, 'reviewOutcome' | 'reviewProposed' | 'reviewEdited'>,
  candidate: RunFigures,
  writeTools: ReadonlySet<string>,
): boolean | null {
  if (original.reviewOutcome === 'edited') {
    // The reviewer's edit is what should have been proposed.
    return sameWrite(candidate.proposal, writeOf(original.reviewEdited, writeTools));
  }
  if (original.reviewOutcome === 'rejected') {
    // The rejected write should no longer be proposed (another write, none, or a person).
    return !sameWrite(candidate.proposal, writeOf(original.reviewProposed, writeTools));
  }
  return null;
}
