import 'reflect-metadata';
import { REASON_MAX } from './reason.js';
import { Type } from 'class-transformer';
import {
  Equals,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  Length,
  Max,
  Min,
  ValidateBy,
  ValidateNested,
} from 'class-validator';
import { JSONSchema } from 'class-validator-jsonschema';
import { INT32_MAX, JsonValue } from '../validation/decode.js';
import { STEP_KINDS, type StepKind } from './step-kind.js';

/** What started the run, as the trigger service accepted it. */
export class TriggerSnapshot {
  @IsString() @Length(1, 200) eventType!: string;
  @IsString() @Length(1, 200) idempotencyKey!: string;
  @IsOptional() @IsString() source?: string;
  @IsObject() @JsonValue() data!: Record<string, unknown>;
  @IsISO8601() receivedAt!: string;
}

export const EVIDENCE_KINDS = ['record', 'passage', 'history'] as const;

/** One piece of gathered context. `weak` is set when the evidence should not be trusted alone. */
export class Evidence {
  @IsString() @Length(1, 200) source!: string;
  @IsIn(EVIDENCE_KINDS) kind!: (typeof EVIDENCE_KINDS)[number];
  @IsOptional() @IsString() ref?: string;
  /** What the source returned; `null` when it failed or found nothing (then `weak` and a `note`). */
  @JSONSchema(() => ({
    description:
      'What the source returned (a row, rows, passages); null when it failed or found nothing.',
  }))
  @ValidateBy({
    name: 'isPresent',
    validator: {
      validate: (value: unknown) => value !== undefined,
      defaultMessage: () => 'content is required (null when the source returned nothing)',
    },
  })
  @JsonValue()
  content!: unknown;
  @IsOptional() @IsNumber() score?: number;
  @IsBoolean() weak!: boolean;
  @IsOptional() @IsString() note?: string;
  /**
   * The source could not answer (unavailable after retries, refused the query, timed out):
   * `content` is null and says nothing about the business — `note` says what failed.
   */
  @IsOptional() @IsBoolean() failed?: boolean;
}

/** One finished step, as later steps see it. */
export class StepRecord {
  @IsString() @Length(1, 100) name!: string;
  @IsIn(STEP_KINDS) kind!: StepKind;
  @IsInt() @Min(0) @Max(INT32_MAX) seq!: number;
  @IsString() @Length(1, 100) outcome!: string;
  @IsOptional() @IsObject() @JsonValue() output?: Record<string, unknown>;
}

/** What a run carries from step to step: the trigger, the evidence and the history so far. */
export class RunState {
  @IsObject() @ValidateNested() @Type(() => TriggerSnapshot) trigger!: TriggerSnapshot;
  @IsArray() @ValidateNested({ each: true }) @Type(() => Evidence) evidence!: Evidence[];
  @IsBoolean() weakEvidence!: boolean;
  @IsArray() @ValidateNested({ each: true }) @Type(() => StepRecord) history!: StepRecord[];
}

export const DECISION_NEXT = ['act', 'escalate', 'complete', 'fail'] as const;
export type DecisionNext = (typeof DECISION_NEXT)[number];

/** The decision step's output contract: every decision has a label, a confidence and a why. */
export class DecisionRecord {
  @IsIn(DECISION_NEXT) next!: DecisionNext;
  @IsOptional() @IsString() tool?: string;
  @IsOptional() @IsObject() @JsonValue() args?: Record<string, unknown>;
  @IsString() @Length(1, 200) label!: string;
  @IsNumber() @Min(0) @Max(1) confidence!: number;
  @IsString() rationale!: string;
  @IsIn(['rules', 'model', 'reviewer']) decidedBy!: 'rules' | 'model' | 'reviewer';
}

export const TOOL_RESULT_STATUS = ['succeeded', 'failed', 'simulated', 'refused'] as const;

/**
 * What executing (or, in shadow mode, simulating) a granted tool produced. `refused`: the
 * action service did not run it (a guard or an effect limit said no); `error` says why.
 */
export class ToolResult {
  @IsIn(TOOL_RESULT_STATUS) status!: (typeof TOOL_RESULT_STATUS)[number];
  @IsOptional() @IsObject() @JsonValue() output?: Record<string, unknown>;
  @IsOptional() @IsString() error?: string;
  @IsOptional() @IsString() idempotencyKey?: string;
}

export class ContextPayload {
  @Equals('context') kind!: 'context';
  @IsObject() @ValidateNested() @Type(() => TriggerSnapshot) trigger!: TriggerSnapshot;
}

export class DecisionPayload {
  @Equals('decision') kind!: 'decision';
  @IsObject() @ValidateNested() @Type(() => RunState) state!: RunState;
  /** Why the decision step is asked (again): after context, a validation failure, a review. */
  @IsOptional() @IsString() reason?: string;
}

export class ActionPayload {
  @Equals('action') kind!: 'action';
  @IsObject() @ValidateNested() @Type(() => RunState) state!: RunState;
  @IsObject() @ValidateNested() @Type(() => DecisionRecord) decision!: DecisionRecord;
}

/** The action step that produced a result: the granted tool it ran and that step's `seq`. */
export class ExecutedAction {
  @IsString() @Length(1, 100) tool!: string;
  @IsInt() @Min(0) @Max(INT32_MAX) seq!: number;
}

export class ValidationPayload {
  @Equals('validation') kind!: 'validation';
  @IsObject() @ValidateNested() @Type(() => RunState) state!: RunState;
  @IsObject() @ValidateNested() @Type(() => DecisionRecord) decision!: DecisionRecord;
  /** Absent when a proposal is checked before it is executed. */
  @IsOptional() @ValidateNested() @Type(() => ToolResult) result?: ToolResult;
  /**
   * Set by the action service beside `result`: what it executed. Optional so that envelopes
   * sent before the field existed still decode.
   */
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => ExecutedAction)
  executed?: ExecutedAction;
}

export class EscalationPayload {
  @Equals('escalation') kind!: 'escalation';
  @IsObject() @ValidateNested() @Type(() => RunState) state!: RunState;
  @IsOptional() @ValidateNested() @Type(() => DecisionRecord) decision?: DecisionRecord;
  @IsString() @Length(1, REASON_MAX) reason!: string;
}

/** Payload type per step kind: the discriminated union the envelope carries. */
export interface StepPayloads {
  context: ContextPayload;
  decision: DecisionPayload;
  action: ActionPayload;
  validation: ValidationPayload;
  escalation: EscalationPayload;
}
export type StepPayload = StepPayloads[StepKind];

export const STEP_PAYLOAD_CLASSES = {
  context: ContextPayload,
  decision: DecisionPayload,
  action: ActionPayload,
  validation: ValidationPayload,
  escalation: EscalationPayload,
} as const satisfies { [K in StepKind]: new () => StepPayloads[K] };
