import type { DeadLetterReport } from '@baton/service-kit';

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
  /**
   * `step`: the last step recorded in run_steps; with `deadLetter` when that step was not
   * handled but dead-lettered (reportDeadLetteredSteps), `at` being when.
   */
  step?: { name: string; kind: string; seq: number; deadLetter?: DeadLetterReport };
}

/**
 * The reason a run the deadline sweeper ends fails with, one line, saying what the ledger knows.
 * A step that is dead-lettered is reported to the ledger as such: the run's step was lost, and
 * the reason names it, its dead-letter topic and why. Otherwise no step of the run was lost
 * that way, and the ledger (which records a step when it finishes, not when it starts) tells two
 * cases apart: a run handed on before its deadline has its next step still running or waiting
 * for its service; one handed on after it has its next step not started at all — a step that
 * starts past the deadline ends the run itself — so that step's service is down or far behind.
 */
export function deadlineReason(report: LastReport): string {
  const prefix = `deadline of ${report.deadlineMinutes} minutes passed while the run was still running`;
  const deadLetter = report.step?.deadLetter;
  if (report.by === 'step' && deadLetter) {
    const step = report.step!;
    return `${prefix}: its step ${step.name} (${step.kind}, seq ${step.seq}) was lost: dead-lettered to ${deadLetter.topic} at ${report.at.toISOString()} (${deadLetter.reason}, ${deadLetter.error}); replay it from there once the cause is fixed`;
  }
  const handedOn = describeHandOn(report);
  const before = report.deadline.getTime() - report.at.getTime();
  const next = report.by === 'started' ? 'its first step' : 'its next step';
  if (before <= 0)
    return `${prefix}: ${next} has not started: ${handedOn}, after the deadline, and a step that starts past the deadline ends the run itself; none was dead-lettered, so that step's service is down or far behind`;
  return `${prefix}: ${next} is still running or waiting for its service (none was dead-lettered): nothing reported since ${handedOn}, ${duration(before)} before the deadline`;
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
