import type { DecisionRecord, RunState, StepEnvelope } from '@baton/contracts';
import type { EndedRun } from '@baton/service-kit';
import type { NotificationSummary } from './notification.js';

/** `closed`: the run ended (cancelled, or ended by another step) while the task was open. */
export const TASK_STATUSES = ['open', 'approved', 'rejected', 'closed'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];
export type ReviewOutcome = 'approved' | 'edited' | 'rejected';

/** Who decided a task: the API key's principal. */
export interface Reviewer {
  name: string;
  role: string;
}

/** What a reviewer decided; also the `output` of the `review` history record. */
export interface ReviewRecord extends Record<string, unknown> {
  reviewer: Reviewer;
  args?: Record<string, unknown>;
  note?: string;
  reason?: string;
  decision?: DecisionRecord;
  /** An admin decided a task another reviewer had claimed: whose claim, until when. */
  claimOverridden?: { claimedBy: string; claimedUntil: string };
}

/**
 * A value the workflow's `escalation.show` puts first for the reviewer, in its order. `path`
 * is as the definition writes it; a path with no value in the run gives `value: null` and
 * `missing: true` (a present `null` has no `missing`).
 */
export interface Highlight {
  path: string;
  value: unknown;
  missing?: true;
}

/**
 * One step of the workflow's escalation chain applied to the task (`escalation.onBreach`), or
 * a `leave` fallback: where it moved from and to (the same queue for a step that only
 * notifies), when, why, and the SLA it got.
 */
export interface TaskMove {
  /** 1 for the first `onBreach` step, …; `fallback` for a `leave` fallback. */
  step: number | 'fallback';
  from: string;
  to: string;
  at: string;
  why: string;
  /** The new SLA; null when none follows (a `leave` fallback). */
  slaDueAt: string | null;
  /** The reviewer whose claim the move released (the task went to other people). */
  releasedClaimOf?: string;
}

/** A row of `tasks`, as pg returns it (jsonb parsed, timestamptz as Date). */
export interface TaskRow {
  id: string;
  source_envelope_id: string;
  run_id: string;
  workflow_id: string;
  workflow_version: number;
  tenant_id: string;
  queue: string;
  status: TaskStatus;
  reason: string;
  proposal: DecisionRecord | null;
  state: RunState;
  envelope: StepEnvelope<'escalation'>;
  created_at: Date;
  /** Null once a `leave` fallback left the task with no further SLA. */
  sla_due_at: Date | null;
  /** When the SLA sweep last acted on the task (a chain step, the fallback, or overdue). */
  escalated_at: Date | null;
  /** How many `escalation.onBreach` steps have applied. */
  chain_step: number;
  moves: TaskMove[];
  outcome: ReviewOutcome | null;
  reviewer_name: string | null;
  reviewer_role: string | null;
  decided_at: Date | null;
  review: ReviewRecord | null;
  closed_reason: string | null;
  closed_at: Date | null;
  /** Computed when the task is created; `[]` for tasks older than the column. */
  highlights: Highlight[];
  /** The last claim; it holds only while the task is open and `claimed_until` is ahead. */
  claimed_by: string | null;
  claimed_role: string | null;
  claimed_at: Date | null;
  claimed_until: Date | null;
}

/** A task in a list: enough to pick what to review next. */
export interface TaskSummary {
  id: string;
  runId: string;
  workflow: { id: string; version: number };
  tenantId: string;
  queue: string;
  status: TaskStatus;
  reason: string;
  proposal: DecisionRecord | null;
  createdAt: string;
  /** Null when no further SLA applies (a `leave` fallback). */
  slaDueAt: string | null;
  /** Open and past its SLA. */
  overdue: boolean;
  /** When the SLA sweep last acted on it (a chain step, the fallback, overdue); null until then. */
  escalatedAt: string | null;
  /** The escalation chain's steps applied to it, oldest first. */
  moves: TaskMove[];
  /** Who holds a live claim on the open task, and until when; null when nobody does. */
  claimedBy: string | null;
  claimedUntil: string | null;
  /** Why the task was closed without a review (`run ended: <status>: <reason>`); null unless closed. */
  closedReason: string | null;
  closedAt: string | null;
  /** The values `escalation.show` names, in its order: what the reviewer sees first. */
  highlights: Highlight[];
}

/** Everything a reviewer needs to decide, and the decision once made. */
export interface TaskDetail extends TaskSummary {
  /** The step that escalated the run (`escalate` from the decision, an approval from validation). */
  escalatedFrom: { step: string; seq: number };
  trigger: RunState['trigger'];
  /** Each piece flagged `weak` when it should not be trusted alone. */
  evidence: RunState['evidence'];
  weakEvidence: boolean;
  history: RunState['history'];
  /** The webhooks the escalation chain sent (or tried to), with their outcome. */
  notifications: NotificationSummary[];
  decision: {
    outcome: ReviewOutcome;
    reviewer: Reviewer;
    decidedAt: string;
    args?: Record<string, unknown>;
    note?: string;
    reason?: string;
    decision?: DecisionRecord;
    claimOverridden?: { claimedBy: string; claimedUntil: string };
  } | null;
}

/** What a task closed because its run ended says about why. */
export function closedReason(ended: Pick<EndedRun, 'status' | 'reason'>): string {
  return ended.reason
    ? `run ended: ${ended.status}: ${ended.reason}`
    : `run ended: ${ended.status}`;
}

export function isOverdue(row: Pick<TaskRow, 'status' | 'sla_due_at'>, now: Date): boolean {
  return row.status === 'open' && row.sla_due_at !== null && row.sla_due_at <= now;
}

/** A claim that still holds: on an open task, not yet expired (an expired claim is none). */
export function liveClaim(
  row: Pick<TaskRow, 'status' | 'claimed_by' | 'claimed_until'>,
  now: Date,
): { by: string; until: Date } | undefined {
  if (row.status !== 'open' || !row.claimed_by || !row.claimed_until) return undefined;
  return row.claimed_until > now ? { by: row.claimed_by, until: row.claimed_until } : undefined;
}

export function toSummary(row: TaskRow, now: Date): TaskSummary {
  const claim = liveClaim(row, now);
  return {
    id: row.id,
    runId: row.run_id,
    workflow: { id: row.workflow_id, version: row.workflow_version },
    tenantId: row.tenant_id,
    queue: row.queue,
    status: row.status,
    reason: row.reason,
    proposal: row.proposal,
    createdAt: row.created_at.toISOString(),
    slaDueAt: row.sla_due_at?.toISOString() ?? null,
    overdue: isOverdue(row, now),
    escalatedAt: row.escalated_at?.toISOString() ?? null,
    moves: row.moves,
    claimedBy: claim?.by ?? null,
    claimedUntil: claim?.until.toISOString() ?? null,
    closedReason: row.closed_reason,
    closedAt: row.closed_at?.toISOString() ?? null,
    highlights: row.highlights,
  };
}

export function toDetail(
  row: TaskRow,
  now: Date,
  notifications: NotificationSummary[] = [],
): TaskDetail {
  const review = row.review;
  return {
    ...toSummary(row, now),
    escalatedFrom: { step: row.envelope.step.name, seq: row.envelope.step.seq },
    trigger: row.state.trigger,
    evidence: row.state.evidence,
    weakEvidence: row.state.weakEvidence,
    history: row.state.history,
    notifications,
    decision:
      row.outcome && review && row.decided_at
        ? {
            outcome: row.outcome,
            reviewer: review.reviewer,
            decidedAt: row.decided_at.toISOString(),
            ...(review.args ? { args: review.args } : {}),
            ...(review.note ? { note: review.note } : {}),
            ...(review.reason ? { reason: review.reason } : {}),
            ...(review.decision ? { decision: review.decision } : {}),
            ...(review.claimOverridden ? { claimOverridden: review.claimOverridden } : {}),
          }
        : null,
  };
}
