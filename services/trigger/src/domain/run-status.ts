import { TERMINAL_STATUSES, type TerminalStatus } from '@baton/contracts';

/**
 * The run ledger's status rules, once. A run is `running`, `waiting-for-review`, or ended in a
 * terminal status (completed, failed, rejected, cancelled); a terminal status is final: no
 * later event, cancel or sweep reopens or changes it.
 */
export function isTerminal(status: string): status is TerminalStatus {
  return (TERMINAL_STATUSES as readonly string[]).includes(status);
}

/** The terminal statuses as an SQL list, for `status NOT IN …` guards. */
export const TERMINAL_SQL = `(${TERMINAL_STATUSES.map((s) => `'${s}'`).join(', ')})`;

/**
 * Runs that count for business-level de-duplication (`trigger.dedup`): a failed or cancelled
 * run never did the work, so the same business event may start a new one.
 */
export const NOT_DEDUPLICATING_SQL = `('failed', 'cancelled')`;

/** The outcome of a step reported dead-lettered: a replay's report replaces it. */
export const DEAD_LETTERED = 'dead-lettered';
