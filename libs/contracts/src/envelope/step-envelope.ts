import 'reflect-metadata';
import { Type } from 'class-transformer';
import {
  Equals,
  IsIn,
  IsInt,
  IsISO8601,
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
import { UUID_V7_PATTERN, uuidv7 } from '../ids/uuid-v7.js';
import { INT32_MAX, decodeAs, type Decoded } from '../validation/decode.js';
import { STEP_KINDS, type StepKind } from './step-kind.js';
import { STEP_PAYLOAD_CLASSES, type StepPayloads } from './step-payloads.js';

/** The envelope schema version this code writes and reads. */
export const STEP_ENVELOPE_SCHEMA_VERSION = 1;

/** The longest tenant id and idempotency key a trigger may carry. */
export const TENANT_ID_MAX = 100;
export const IDEMPOTENCY_KEY_MAX = 200;
/**
 * A causation id: an envelope id, or for a run's first step `trigger:<tenantId>:<idempotencyKey>`,
 * whose longest form this fits — a contract-valid trigger never makes an envelope that is not.
 */
export const CAUSATION_ID_MAX = 'trigger:'.length + TENANT_ID_MAX + 1 + IDEMPOTENCY_KEY_MAX;

/** W3C trace context `traceparent` (version 00). */
export const TRACEPARENT_PATTERN = /^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;
/** Workflow ids: lowercase words joined by dashes, like `billing-dispute`. */
export const WORKFLOW_ID_PATTERN = /^[a-z][a-z0-9-]{0,62}$/;

export class WorkflowRef {
  @Matches(WORKFLOW_ID_PATTERN, {
    message: 'workflow.id must be lowercase letters, digits and dashes',
  })
  id!: string;
  @IsInt() @Min(1) @Max(INT32_MAX) version!: number;
}

export class StepRef<K extends StepKind = StepKind> {
  /** The workflow's name for this step, such as `pull-invoices`. */
  @IsString() @Length(1, 100) name!: string;
  @IsIn(STEP_KINDS) kind!: K;
  /** Position of the step in its run, from 0; strictly increasing along the causation chain. */
  @IsInt() @Min(0) @Max(INT32_MAX) seq!: number;
  /** Delivery-independent attempt of this step, from 1 (a retried step is a new envelope). */
  @IsInt() @Min(1) @Max(INT32_MAX) attempt!: number;
}

/** What the run may still spend. A step that would exceed it stops the run instead. */
export class Budget {
  @IsInt() @Min(0) stepsLeft!: number;
  @IsInt() @Min(0) tokensLeft!: number;
  @IsNumber() @Min(0) costLeftUsd!: number;
}

/**
 * The step envelope: the only thing services send each other. Kafka key = `runId`, so one
 * run's envelopes stay in one partition, in order.
 */
export class StepEnvelopeDto {
  @Equals(STEP_ENVELOPE_SCHEMA_VERSION) schemaVersion!: typeof STEP_ENVELOPE_SCHEMA_VERSION;
  @Matches(UUID_V7_PATTERN, { message: 'envelopeId must be a UUIDv7' }) envelopeId!: string;
  @Matches(UUID_V7_PATTERN, { message: 'runId must be a UUIDv7' }) runId!: string;
  @IsObject() @ValidateNested() @Type(() => WorkflowRef) workflow!: WorkflowRef;
  @IsObject() @ValidateNested() @Type(() => StepRef) step!: StepRef;
  /** The envelope (or, for a run's first step, the trigger: `trigger:<tenant>:<key>`) that caused this one. */
  @IsString() @Length(1, CAUSATION_ID_MAX) causationId!: string;
  @IsString() @Length(1, TENANT_ID_MAX) tenantId!: string;
  @IsISO8601({ strict: true }) createdAt!: string;
  /** The run must reach a terminal state by then. */
  @IsISO8601({ strict: true }) deadline!: string;
  @IsObject() @ValidateNested() @Type(() => Budget) budget!: Budget;
  @IsOptional()
  @Matches(TRACEPARENT_PATTERN, { message: 'traceparent must be W3C version 00' })
  traceparent?: string;
  /**
   * Set on every envelope of a backtest run (the backtest's id): its writes are simulated
   * whatever the workflow's mode, it enters no effect ledger, and a step that would ask a
   * person ends the run instead of opening a review task (docs/changing-workflows.md).
   */
  @IsOptional()
  @Matches(UUID_V7_PATTERN, { message: 'backtestId must be a UUIDv7' })
  backtestId?: string;
  @IsObject()
  @ValidateNested()
  @Type(() => Object, {
    keepDiscriminatorProperty: true,
    discriminator: {
      property: 'kind',
      subTypes: STEP_KINDS.map((kind) => ({ name: kind, value: STEP_PAYLOAD_CLASSES[kind] })),
    },
  })
  payload!: StepPayloads[StepKind];
}

type EnvelopeOf<K extends StepKind> = Omit<StepEnvelopeDto, 'step' | 'payload'> & {
  step: StepRef<K>;
  payload: StepPayloads[K];
};

/** A step envelope whose payload type follows its step kind (a discriminated union). */
export type StepEnvelope<K extends StepKind = StepKind> = { [P in K]: EnvelopeOf<P> }[K];

/** Decodes and validates an envelope received from a topic, once, before any handler. */
export function decodeStepEnvelope(plain: unknown): Decoded<StepEnvelope> {
  const version = (plain as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (plain && typeof plain === 'object' && version !== STEP_ENVELOPE_SCHEMA_VERSION) {
    return {
      ok: false,
      errors: [
        `schemaVersion: this consumer reads version ${STEP_ENVELOPE_SCHEMA_VERSION}, got ${JSON.stringify(version)}`,
      ],
    };
  }
  const decoded = decodeAs(StepEnvelopeDto, plain);
  if (!decoded.ok) return decoded;
  const envelope = decoded.value;
  if (envelope.payload.kind !== envelope.step.kind) {
    return {
      ok: false,
      errors: [
        `payload.kind: "${envelope.payload.kind}" does not match step.kind "${envelope.step.kind}"`,
      ],
    };
  }
  return { ok: true, value: envelope as StepEnvelope };
}

export interface RunStart {
  runId?: string;
  workflow: { id: string; version: number };
  tenantId: string;
  causationId: string;
  deadline: Date;
  budget: Budget;
  traceparent?: string;
  /** A backtest run: see StepEnvelopeDto.backtestId. */
  backtestId?: string;
}

/** The first envelope of a run. */
export function firstStep<K extends StepKind>(
  start: RunStart,
  step: { name: string; kind: K },
  payload: StepPayloads[K],
  now: Date = new Date(),
): StepEnvelope<K> {
  return {
    schemaVersion: STEP_ENVELOPE_SCHEMA_VERSION,
    envelopeId: uuidv7(now.getTime()),
    runId: start.runId ?? uuidv7(now.getTime()),
    workflow: { ...start.workflow },
    step: { name: step.name, kind: step.kind, seq: 0, attempt: 1 },
    causationId: start.causationId,
    tenantId: start.tenantId,
    createdAt: now.toISOString(),
    deadline: start.deadline.toISOString(),
    budget: { ...start.budget, stepsLeft: Math.max(0, start.budget.stepsLeft - 1) },
    ...(start.traceparent ? { traceparent: start.traceparent } : {}),
    ...(start.backtestId ? { backtestId: start.backtestId } : {}),
    payload,
  } as StepEnvelope<K>;
}

/** The envelope of the step that follows `previous` in the same run. */
export function nextStep<K extends StepKind>(
  previous: StepEnvelope,
  step: { name: string; kind: K; attempt?: number },
  payload: StepPayloads[K],
  spent: { tokens?: number; costUsd?: number } = {},
  now: Date = new Date(),
): StepEnvelope<K> {
  const budget = previous.budget;
  return {
    schemaVersion: STEP_ENVELOPE_SCHEMA_VERSION,
    envelopeId: uuidv7(now.getTime()),
    runId: previous.runId,
    workflow: { ...previous.workflow },
    step: {
      name: step.name,
      kind: step.kind,
      seq: previous.step.seq + 1,
      attempt: step.attempt ?? 1,
    },
    causationId: previous.envelopeId,
    tenantId: previous.tenantId,
    createdAt: now.toISOString(),
    deadline: previous.deadline,
    budget: {
      stepsLeft: Math.max(0, budget.stepsLeft - 1),
      tokensLeft: Math.max(0, budget.tokensLeft - (spent.tokens ?? 0)),
      costLeftUsd: Math.max(0, budget.costLeftUsd - (spent.costUsd ?? 0)),
    },
    // A backtest run stays one to its end, whichever service makes the next step.
    ...(previous.backtestId ? { backtestId: previous.backtestId } : {}),
    payload,
  } as StepEnvelope<K>;
}
