import { Type } from 'class-transformer';
import {
  Allow,
  Equals,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsObject,
  IsOptional,
  IsString,
  Min,
  ValidateNested,
} from 'class-validator';
import { JSONSchema } from 'class-validator-jsonschema';
import {
  AnyJson,
  DecisionRecord,
  Evidence,
  Nullable,
  REVIEW_OUTCOMES,
  StepRecord,
  TriggerSnapshot,
  WorkflowRef,
  type RunState,
  type StepEnvelope,
} from '@baton/contracts';
import type { EndedRun } from '@baton/service-kit';
import { NotificationSummary } from './notification.js';

/** `closed`: the run ended (cancelled, or ended by another step) while the task was open. */
export const TASK_STATUSES = ['open', 'approved', 'rejected', 'closed'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];
export type ReviewOutcome = 'approved' | 'edited' | 'rejected';

/** Who decided a task: the API key's principal. */
export class Reviewer {
  @IsString() name!: string;
  @IsString() role!: string;
}

/** An admin decided a task another reviewer had claimed: whose claim, until when. */
export class OverriddenClaim {
  @IsString() claimedBy!: string;
  @IsISO8601() claimedUntil!: string;
}

/** What a reviewer decided; also the `output` of the `review` history record. */
export interface ReviewRecord extends Record<string, unknown> {
  reviewer: Reviewer;
  args?: Record<string, unknown>;
  note?: string;
  reason?: string;
  decision?: DecisionRecord;
  /** An admin decided a task another reviewer had claimed: whose claim, until when. */
  claimOverridden?: OverriddenClaim;
}

/**
 * A value the workflow's `escalation.show` puts first for the reviewer, in its order. `path`
 * is as the definition writes it; a path with no value in the run gives `value: null` and
 * `missing: true` (a present `null` has no `missing`).
 */
export class Highlight {
  @IsString() path!: string;
  @AnyJson('The value at the path; null when the run has none there.') value!: unknown;
  @JSONSchema({ description: 'The run has no value at the path (`value` is null).' })
  @IsOptional()
  @Equals(true)
  missing?: true;
}

/**
 * One step of the workflow's escalation chain applied to the task (`escalation.onBreach`), or
 * a `leave` fallback: where it moved from and to (the same queue for a step that only
 * notifies), when, why, and the SLA it got.
 */
export class TaskMove {
  @JSONSchema({
    description: '1 for the first `onBreach` step, …; `fallback` for a `leave` fallback.',
    anyOf: [
      { type: 'integer', minimum: 1 },
      { type: 'string', enum: ['fallback'] },
    ],
  })
  @Allow()
  step!: number | 'fallback';
  @IsString() from!: string;
  @IsString() to!: string;
  @IsISO8601() at!: string;
  @IsString() why!: string;
  @Nullable('The new SLA; null when none follows (a `leave` fallback).')
  @IsISO8601()
  slaDueAt!: string | null;
  @JSONSchema({
    description: 'The reviewer whose claim the move released (the task went to other people).',
  })
  @IsOptional()
  @IsString()
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
export class TaskSummary {
  @IsString() id!: string;
  @IsString() runId!: string;
  @ValidateNested() @Type(() => WorkflowRef) workflow!: WorkflowRef;
  @IsString() tenantId!: string;
  @IsString() queue!: string;
  @IsIn(TASK_STATUSES) status!: TaskStatus;
  @IsString() reason!: string;
  @Nullable('What the decision step proposed; null when it proposed nothing.')
  @ValidateNested()
  @Type(() => DecisionRecord)
  proposal!: DecisionRecord | null;
  @IsISO8601() createdAt!: string;
  @Nullable('Null when no further SLA applies (a `leave` fallback).')
  @IsISO8601()
  slaDueAt!: string | null;
  @JSONSchema({ description: 'Open and past its SLA.' }) @IsBoolean() overdue!: boolean;
  @Nullable(
    'When the SLA sweep last acted on it (a chain step, the fallback, overdue); null until then.',
  )
  @IsISO8601()
  escalatedAt!: string | null;
  @JSONSchema({ description: "The escalation chain's steps applied to it, oldest first." })
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => TaskMove)
  moves!: TaskMove[];
  @Nullable('Who holds a live claim on the open task; null when nobody does.')
  @IsString()
  claimedBy!: string | null;
  @Nullable() @IsISO8601() claimedUntil!: string | null;
  @Nullable(
    'Why the task was closed without a review (`run ended: <status>: <reason>`); null unless closed.',
  )
  @IsString()
  closedReason!: string | null;
  @Nullable() @IsISO8601() closedAt!: string | null;
  @JSONSchema({
    description: 'The values `escalation.show` names, in its order: what the reviewer sees first.',
  })
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => Highlight)
  highlights!: Highlight[];
}

/** The step that escalated the run. */
export class EscalatedFrom {
  @IsString() step!: string;
  @IsInt() @Min(0) seq!: number;
}

/** A task's decision, once a reviewer made it. */
export class ReviewDecision {
  @IsIn(REVIEW_OUTCOMES) outcome!: ReviewOutcome;
  @ValidateNested() @Type(() => Reviewer) reviewer!: Reviewer;
  @IsISO8601() decidedAt!: string;
  @JSONSchema({ description: 'The args the reviewer approved (edited or as proposed).' })
  @IsOptional()
  @IsObject()
  args?: Record<string, unknown>;
  @IsOptional() @IsString() note?: string;
  @IsOptional() @IsString() reason?: string;
  @IsOptional() @ValidateNested() @Type(() => DecisionRecord) decision?: DecisionRecord;
  @IsOptional() @ValidateNested() @Type(() => OverriddenClaim) claimOverridden?: OverriddenClaim;
}

/** Everything a reviewer needs to decide, and the decision once made. */
export class TaskDetail extends TaskSummary {
  @JSONSchema({
    description:
      'The step that escalated the run (`escalate` from the decision, an approval from validation).',
  })
  @ValidateNested()
  @Type(() => EscalatedFrom)
  escalatedFrom!: EscalatedFrom;
  @ValidateNested() @Type(() => TriggerSnapshot) trigger!: RunState['trigger'];
  @JSONSchema({ description: 'Each piece flagged `weak` when it should not be trusted alone.' })
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => Evidence)
  evidence!: RunState['evidence'];
  @IsBoolean() weakEvidence!: boolean;
  @IsArray() @ValidateNested({ each: true }) @Type(() => StepRecord) history!: RunState['history'];
  @JSONSchema({
    description: 'The webhooks the escalation chain sent (or tried to), with their outcome.',
  })
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => NotificationSummary)
  notifications!: NotificationSummary[];
  @Nullable('The decision; null until a reviewer decides.')
  @ValidateNested()
  @Type(() => ReviewDecision)
  decision!: ReviewDecision | null;
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
