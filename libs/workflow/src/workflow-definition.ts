import 'reflect-metadata';
import { Type } from 'class-transformer';
import {
  ArrayMinSize,
  Equals,
  IsArray,
  IsBoolean,
  IsDefined,
  IsIn,
  IsInt,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { DECISION_NEXT, WORKFLOW_ID_PATTERN, type DecisionNext } from '@baton/contracts';
import { CONDITION_OPS, type ConditionOp } from './expression.js';

const NAME = /^[a-z][a-z0-9-]{0,62}$/;
const NAME_MESSAGE = { message: '$property must be lowercase letters, digits and dashes' };

export class ConditionSpec {
  @IsString() @Length(1, 200) path!: string;
  @IsIn(CONDITION_OPS) op!: ConditionOp;
  @IsOptional() value?: unknown;
}

export class TriggerSpec {
  /** Event types that start this workflow. */
  @IsArray() @ArrayMinSize(1) @IsString({ each: true }) eventTypes!: string[];
  /** Fields of the event's `data` that must be present (dotted paths). */
  @IsOptional() @IsArray() @IsString({ each: true }) required?: string[];
}

export class ContextSourceSpec {
  @Matches(NAME, NAME_MESSAGE) name!: string;
  @IsIn(['sql', 'knowledge', 'http']) kind!: 'sql' | 'knowledge' | 'http';
  /** sql: a parameterised, read-only query ($1, $2, …) against the business database. */
  @IsOptional() @IsString() query?: string;
  /** sql: paths whose values bind to $1, $2, …; knowledge: the path of the search text. */
  @IsOptional() @IsArray() @IsString({ each: true }) params?: string[];
  /** knowledge: the document collection to search. */
  @IsOptional() @IsString() collection?: string;
  /** http: a GET URL, `{{ path }}` templates allowed. */
  @IsOptional() @IsString() url?: string;
  /** sql: one row (`one`) or a list (`many`). */
  @IsOptional() @IsIn(['one', 'many']) rows?: 'one' | 'many';
  @IsOptional() @IsInt() @Min(1) @Max(100) limit?: number;
  /** knowledge: passages scoring below this are flagged weak. */
  @IsOptional() @IsNumber() @Min(0) minScore?: number;
  @IsInt() @Min(10) @Max(60_000) timeoutMs!: number;
  /** Missing evidence from a required source is flagged as weak evidence for the decision. */
  @IsBoolean() required!: boolean;
}

export class ContextSpec {
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => ContextSourceSpec)
  sources!: ContextSourceSpec[];
}

export class OutcomeSpec {
  @IsIn(DECISION_NEXT) next!: DecisionNext;
  @IsOptional() @Matches(NAME, NAME_MESSAGE) tool?: string;
  /** Tool arguments; `{{ path }}` templates are rendered against the run. */
  @IsOptional() @IsObject() args?: Record<string, unknown>;
  @IsString() @Length(1, 100) label!: string;
  @IsNumber() @Min(0) @Max(1) confidence!: number;
  @IsString() @Length(1, 1000) rationale!: string;
}

export class RuleSpec {
  @Matches(NAME, NAME_MESSAGE) name!: string;
  @IsArray() @ValidateNested({ each: true }) @Type(() => ConditionSpec) when!: ConditionSpec[];
  @ValidateNested() @Type(() => OutcomeSpec) then!: OutcomeSpec;
}

export class ModelSpec {
  @IsString() @Length(1, 200) name!: string;
  @IsString() @Length(1, 20_000) prompt!: string;
  @IsNumber() @Min(0) @Max(2) temperature!: number;
  @IsArray() @ArrayMinSize(1) @IsString({ each: true }) labels!: string[];
  /** Price per 1k tokens, for the cost budget. */
  @IsNumber() @Min(0) costPer1kTokensUsd!: number;
  /** Invalid model outputs tolerated per decision before the run escalates. */
  @IsInt() @Min(0) @Max(5) maxInvalidOutputs!: number;
}

export class DecisionSpec {
  /** Tried in order; the first rule whose conditions all hold decides. */
  @IsArray() @ValidateNested({ each: true }) @Type(() => RuleSpec) rules!: RuleSpec[];
  /** Asked when no rule decides. Without it (or without a model key) such runs escalate. */
  @IsOptional() @ValidateNested() @Type(() => ModelSpec) model?: ModelSpec;
}

export class ToolGrantSpec {
  @Matches(NAME, NAME_MESSAGE) name!: string;
  @IsIn(['read', 'write']) access!: 'read' | 'write';
  @IsString() @Length(1, 500) description!: string;
  /** Arguments that must be present. */
  @IsArray() @IsString({ each: true }) requiredArgs!: string[];
  /** Hard ceiling on the `amount` argument; above it the action is refused. */
  @IsOptional() @IsNumber() @Min(0) maxAmount?: number;
  /** How the tool runs: a parameterised SQL statement against the business database, or a knowledge search. */
  @IsIn(['sql', 'knowledge']) kind!: 'sql' | 'knowledge';
  /** sql: the statement, with $1, $2, … bound from `params`. Writes must use `key` (the idempotency key). */
  @IsOptional() @IsString() statement?: string;
  /** sql: paths bound to $1, $2, … from the scope `{ args, key, run, trigger }`; knowledge: [the search-text path]. */
  @IsOptional() @IsArray() @IsString({ each: true }) params?: string[];
  /** knowledge: the collection searched. */
  @IsOptional() @IsString() collection?: string;
}

export class ApprovalSpec {
  @Matches(NAME, NAME_MESSAGE) tool!: string;
  @IsArray() @ValidateNested({ each: true }) @Type(() => ConditionSpec) when!: ConditionSpec[];
  @IsString() @Length(1, 500) reason!: string;
}

export class CheckSpec {
  @Matches(NAME, NAME_MESSAGE) name!: string;
  @IsOptional() @Matches(NAME, NAME_MESSAGE) tool?: string;
  /** The check fails when all these conditions hold. */
  @IsArray() @ValidateNested({ each: true }) @Type(() => ConditionSpec) failWhen!: ConditionSpec[];
  @IsString() @Length(1, 500) message!: string;
}

export class ValidationSpec {
  @IsArray() @ValidateNested({ each: true }) @Type(() => ApprovalSpec) approvals!: ApprovalSpec[];
  @IsArray() @ValidateNested({ each: true }) @Type(() => CheckSpec) checks!: CheckSpec[];
  /** Failed checks sent back to the decision before the run escalates instead. */
  @IsInt() @Min(0) @Max(10) maxFailures!: number;
}

export class EscalationSpec {
  @Matches(NAME, NAME_MESSAGE) queue!: string;
  @IsInt() @Min(1) slaMinutes!: number;
}

export class LimitsSpec {
  @IsInt() @Min(1) @Max(200) maxSteps!: number;
  @IsInt() @Min(0) maxTokens!: number;
  @IsNumber() @Min(0) maxCostUsd!: number;
  @IsInt() @Min(1) deadlineMinutes!: number;
}

/** One narrow workflow: trigger, context, decision, granted tools, checks, escalation, limits. */
export class WorkflowDefinition {
  @Equals(1) formatVersion!: 1;
  @Matches(WORKFLOW_ID_PATTERN, { message: 'id must be lowercase letters, digits and dashes' })
  id!: string;
  @IsInt() @Min(1) version!: number;
  /** Who answers for prompts, rules, tool access and escalation policy. */
  @IsString() @Length(3, 200) owner!: string;
  @IsString() @Length(1, 2000) description!: string;
  @IsIn(['live', 'shadow']) mode!: 'live' | 'shadow';
  @ValidateNested() @Type(() => TriggerSpec) trigger!: TriggerSpec;
  @ValidateNested() @Type(() => ContextSpec) context!: ContextSpec;
  @ValidateNested() @Type(() => DecisionSpec) decision!: DecisionSpec;
  @IsArray() @ValidateNested({ each: true }) @Type(() => ToolGrantSpec) tools!: ToolGrantSpec[];
  @ValidateNested() @Type(() => ValidationSpec) validation!: ValidationSpec;
  @ValidateNested() @Type(() => EscalationSpec) escalation!: EscalationSpec;
  @ValidateNested() @Type(() => LimitsSpec) limits!: LimitsSpec;
  @IsOptional() @IsDefined() cases?: unknown;
}
