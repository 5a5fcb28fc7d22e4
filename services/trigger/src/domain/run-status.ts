import { TERMINAL_STATUSES, type RunStatus, type TerminalStatus } from '@baton/contracts';

/**
 * The run ledger's status rules, once. A run is `running`, `waiting-for-review`, or ended in a
 * terminal status (completed, failed, rejected, cancelled); a terminal status is final: no
 * later event, cancel or sweep reopens or changes it.
 */
export const RUNNING = 'running' satisfies RunStatus;
export const WAITING_FOR_REVIEW = 'waiting-for-review' satisfies RunStatus;

export function isTerminal(status: string): status is TerminalStatus {
  return (TERMINAL_STATUSES as readonly string[]).includes(status);
}

/**
 * What moves a run, and from where:
 * - `wait` (run.waiting), `resume` (run.resumed) and `end` (run.ended, a cancel): any run that
 *   has not ended; the first end wins;
 * - `expire` (the deadline sweep): only a `running` run; one waiting for a person is bounded
 *   by its review SLA, not by the run's deadline.
 */
export type RunMove = 'wait' | 'resume' | 'end' | 'expire';

/** Whether a run in `status` may make `move`. */
export function mayMove(status: string, move: RunMove): boolean {
  return move === 'expire' ? status === RUNNING : !isTerminal(status);
}

/** The terminal statuses as an SQL list. */
const TERMINAL_SQL = `(${TERMINAL_STATUSES.map((s) => `'${s}'`).join(', ')})`;

/** `mayMove` as an SQL condition on the `status` column (`column`), for guarded updates. */
export function mayMoveSql(move: RunMove, column = 'status'): string {
  return move === 'expire' ? `${column} = '${RUNNING}'` : `${column} NOT IN ${TERMINAL_SQL}`;
}

/**
 * Runs that count for business-level de-duplication (`trigger.dedup`): a failed or cancelled
 * run never did the work, so the same business event may start a new one.
 */
export const NOT_DEDUPLICATING_SQL = `('failed', 'cancelled')`;

/** The outcome of a step reported dead-lettered: a replay's report replaces it. */
export const DEAD_LETTERED = 'dead-lettered';
