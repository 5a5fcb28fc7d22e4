/** What the run ledger knows of an overdue run's last hand-on. */
export interface LastReport {
  /** The workflow version's `limits.deadlineMinutes` (or the default for an unknown version). */
  deadlineMinutes: number;
  /** When the deadline passed: `created_at` + the minutes + the time spent waiting for a reviewer. */
  deadline: Date;
  /** When the run was last handed to a step: a step finished, a review resumed it, or it started. */
  at: Date;
  /** How: `step` finished, a reviewer's verdict `resumed` it, or it `started` (no step reported yet). */
  by: 'step' | 'resumed' | 'started';
  /** `step`: the last step recorded in run_steps. */
  step?: { name: string; kind: string; seq: number };
}

const DEAD_LETTERS = 'possibly dead-lettered: see the dead-letter topics';

/**
 * The reason a run the deadline sweeper ends fails with, one line, saying what the ledger knows.
 * The ledger records a step when it finishes, never when it starts, so it cannot see a step
 * under way. It can tell one case apart: a step that starts past the deadline ends the run
 * itself before it acts, so a run handed on after its deadline and still running was lost.
 * Handed on before, its next step is either still running (slow) or lost, and the reason says
 * both, with how long before the deadline the hand-on was.
 */
export function deadlineReason(report: LastReport): string {
  const prefix = `deadline of ${report.deadlineMinutes} minutes passed while the run was still running`;
  const handedOn = describeHandOn(report);
  const before = report.deadline.getTime() - report.at.getTime();
  if (before <= 0)
    return `${prefix}: its next step was lost (${DEAD_LETTERS}): ${handedOn}, after the deadline, and no step reported since, though a step that starts past the deadline ends the run itself`;
  const next = report.by === 'started' ? 'its first step' : 'the next step';
  return `${prefix}: no step reported since ${handedOn}, ${duration(before)} before the deadline; ${next} is still running or was lost (${DEAD_LETTERS})`;
}

function describeHandOn(report: LastReport): string {
  const at = report.at.toISOString();
  switch (report.by) {
    case 'step': {
      const step = report.step!;
      return `${step.name} (${step.kind}, seq ${step.seq}) finished at ${at}`;
    }
    case 'resumed':
      return `a reviewer's verdict resumed the run at ${at}`;
    case 'started':
      return `the run started at ${at}`;
  }
}

function duration(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 1) return 'less than a minute';
  return minutes === 1 ? '1 minute' : `${minutes} minutes`;
}
