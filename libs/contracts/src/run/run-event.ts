import 'reflect-metadata';
import { REASON_MAX } from '../envelope/reason.js';
import { Type } from 'class-transformer';
import {
  Equals,
  IsIn,
  IsInt,
  IsISO8601,
  IsObject,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { UUID_V7_PATTERN, uuidv7 } from '../ids/uuid-v7.js';
import { STEP_KINDS, type StepKind } from '../envelope/step-kind.js';
import { TRACEPARENT_PATTERN, WorkflowRef, type StepEnvelope } from '../envelope/step-envelope.js';
import { INT32_MAX, JsonValue, decodeAs, type Decoded } from '../validation/decode.js';

export const RUN_EVENT_SCHEMA_VERSION = 1;

/** Terminal states: every run ends in exactly one, with a reason. */
export const TERMINAL_STATUSES = ['completed', 'rejected', 'failed', 'cancelled'] as const;
export type TerminalStatus = (typeof TERMINAL_STATUSES)[number];
export const RUN_STATUSES = ['running', 'waiting-for-review', ...TERMINAL_STATUSES] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export const RUN_EVENT_TYPES = [
  'run.started',
  'step.finished',
  'run.waiting',
  'run.resumed',
  'run.ended',
] as const;
export type RunEventType = (typeof RUN_EVENT_TYPES)[number];

export class StepReport {
  @IsString() @Length(1, 100) name!: string;
  @IsIn(STEP_KINDS) kind!: StepKind;
  @IsInt() @Min(0) @Max(INT32_MAX) seq!: number;
  @IsInt() @Min(1) @Max(INT32_MAX) attempt!: number;
  @Matches(UUID_V7_PATTERN) envelopeId!: string;
  @IsISO8601({ strict: true }) startedAt!: string;
  @IsISO8601({ strict: true }) finishedAt!: string;
  /** What the step concluded, such as `act`, `passed`, `needs-approval`, `succeeded`. */
  @IsString() @Length(1, 100) outcome!: string;
  @IsOptional() @IsObject() @JsonValue() input?: Record<string, unknown>;
  @IsOptional() @IsObject() @JsonValue() output?: Record<string, unknown>;
}

export const REVIEW_OUTCOMES = ['approved', 'edited', 'rejected'] as const;
export type ReviewOutcomeName = (typeof REVIEW_OUTCOMES)[number];

/**
 * A person's verdict on a run's escalation (`run.resumed` from the escalation service), for the
 * outcome ledger: `edited` keeps the edit as what the model proposed and what the reviewer sent.
 */
export class RunReview {
  @IsIn(REVIEW_OUTCOMES) outcome!: ReviewOutcomeName;
  /** The proposal's tool and args, when there was one. */
  @IsOptional() @IsObject() @JsonValue() proposed?: Record<string, unknown>;
  /** `edited`: the tool and args the reviewer approved instead. */
  @IsOptional() @IsObject() @JsonValue() edited?: Record<string, unknown>;
}

/**
 * A run's lifecycle, published by every service on the run-events topic (key = runId).
 * The trigger service keeps the run ledger from it; operators can follow it too.
 */
export class RunEvent {
  @Equals(RUN_EVENT_SCHEMA_VERSION) schemaVersion!: typeof RUN_EVENT_SCHEMA_VERSION;
  @Matches(UUID_V7_PATTERN) eventId!: string;
  @Matches(UUID_V7_PATTERN) runId!: string;
  @IsObject() @ValidateNested() @Type(() => WorkflowRef) workflow!: WorkflowRef;
  @IsString() @Length(1, 100) tenantId!: string;
  @IsIn(RUN_EVENT_TYPES) type!: RunEventType;
  @IsISO8601({ strict: true }) createdAt!: string;
  @IsOptional() @Matches(TRACEPARENT_PATTERN) traceparent?: string;
  /** `step.finished`: the step, with its input, output, timing and outcome. */
  @IsOptional() @ValidateNested() @Type(() => StepReport) step?: StepReport;
  /** `run.ended`: the terminal status. */
  @IsOptional() @IsIn(TERMINAL_STATUSES) status?: TerminalStatus;
  /** `run.ended` and `run.waiting`: why, in words a reviewer or an SRE can act on. */
  @IsOptional() @IsString() @Length(1, REASON_MAX) reason?: string;
  /**
   * `run.resumed` after a review: the verdict (optional: events from before it, and resumes
   * that are not a review, have none).
   */
  @IsOptional() @ValidateNested() @Type(() => RunReview) review?: RunReview;
}

export function decodeRunEvent(plain: unknown): Decoded<RunEvent> {
  return decodeAs(RunEvent, plain);
}

/** A run event about the run an envelope belongs to. */
export function runEventFor(
  envelope: Pick<StepEnvelope, 'runId' | 'workflow' | 'tenantId'>,
  event: Pick<RunEvent, 'type'> & Partial<Pick<RunEvent, 'step' | 'status' | 'reason' | 'review'>>,
  now: Date = new Date(),
): RunEvent {
  return {
    schemaVersion: RUN_EVENT_SCHEMA_VERSION,
    eventId: uuidv7(now.getTime()),
    runId: envelope.runId,
    workflow: { id: envelope.workflow.id, version: envelope.workflow.version },
    tenantId: envelope.tenantId,
    createdAt: now.toISOString(),
    ...event,
  };
}

/** The `step.finished` event for the step an envelope carried. */
export function stepFinished(
  envelope: StepEnvelope,
  report: {
    outcome: string;
    startedAt: Date;
    input?: Record<string, unknown>;
    output?: Record<string, unknown>;
  },
  now: Date = new Date(),
): RunEvent {
  return runEventFor(
    envelope,
    {
      type: 'step.finished',
      step: {
        name: envelope.step.name,
        kind: envelope.step.kind,
        seq: envelope.step.seq,
        attempt: envelope.step.attempt,
        envelopeId: envelope.envelopeId,
        startedAt: report.startedAt.toISOString(),
        finishedAt: now.toISOString(),
        outcome: report.outcome,
        ...(report.input ? { input: report.input } : {}),
        ...(report.output ? { output: report.output } : {}),
      },
    },
    now,
  );
}
