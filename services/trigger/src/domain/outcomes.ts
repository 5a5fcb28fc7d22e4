/**
 * The outcome of a run, as the outcome stats count it (docs/outcomes.md): one per run, from its
 * status and the last review's verdict.
 * - `completed`: completed without a person;
 * - `approved`: completed after a reviewer approved the proposal as it was;
 * - `edited`: completed after a reviewer approved it with edits (the edit is kept);
 * - `rejected`: a reviewer rejected it (the run ended `rejected`);
 * - `failed`, `cancelled`: as the run ended;
 * - `escalated`: waiting for a person now;
 * - `running`: no outcome yet.
 */
export const OUTCOMES = [
  'completed',
  'approved',
  'edited',
  'rejected',
  'failed',
  'cancelled',
  'escalated',
  'running',
] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** The outcome of a row of `runs` (aliased `r`), in SQL. */
export const OUTCOME_SQL = `CASE
  WHEN r.status = 'completed' AND r.review_outcome = 'edited' THEN 'edited'
  WHEN r.status = 'completed' AND r.review_outcome = 'approved' THEN 'approved'
  WHEN r.status = 'completed' THEN 'completed'
  WHEN r.status IN ('rejected', 'failed', 'cancelled') THEN r.status
  WHEN r.status = 'waiting-for-review' THEN 'escalated'
  ELSE 'running'
END`;

/** `part / whole`, or null when there is nothing to divide (no run reviewed, no run ended). */
export function rate(part: number, whole: number): number | null {
  return whole > 0 ? part / whole : null;
}
