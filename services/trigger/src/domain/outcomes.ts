import { IsString } from 'class-validator';
import { JSONSchema } from 'class-validator-jsonschema';
import { AnyJson } from '@baton/contracts';
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

/** One thing a reviewer changed: the tool, or one top-level arg (`args.amount`). */
export class EditChange {
  @JSONSchema({ description: '`tool`, or `args.<name>`.' })
  @IsString()
  field!: string;
  @AnyJson('The value the model proposed (null when it had none).') proposed!: unknown;
  @AnyJson('The value the reviewer sent instead (null when they removed it).') edited!: unknown;
}

/**
 * The edit as a diff: the tool when it changed, then each top-level arg whose value differs
 * (added, removed or changed), in the order of the proposal's args then the new ones. Empty for
 * a rejection (nothing was sent instead).
 */
export function editChanges(
  proposed: Record<string, unknown> | null,
  edited: Record<string, unknown> | null,
): EditChange[] {
  if (!edited) return [];
  const changes: EditChange[] = [];
  if (edited['tool'] !== undefined && edited['tool'] !== proposed?.['tool'])
    changes.push({ field: 'tool', proposed: proposed?.['tool'] ?? null, edited: edited['tool'] });
  const before = argsOf(proposed);
  const after = argsOf(edited);
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (JSON.stringify(before[key]) !== JSON.stringify(after[key]))
      changes.push({
        field: `args.${key}`,
        proposed: before[key] ?? null,
        edited: after[key] ?? null,
      });
  }
  return changes;
}

function argsOf(action: Record<string, unknown> | null): Record<string, unknown> {
  const args = action?.['args'];
  return args !== null && typeof args === 'object' && !Array.isArray(args)
    ? (args as Record<string, unknown>)
    : {};
}
