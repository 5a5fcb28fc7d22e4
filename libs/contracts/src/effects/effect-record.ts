import 'reflect-metadata';
import { Type } from 'class-transformer';
import {
  Equals,
  IsArray,
  IsBoolean,
  IsISO8601,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  Length,
  Matches,
  ValidateNested,
} from 'class-validator';
import { UUID_V7_PATTERN } from '../ids/uuid-v7.js';
import { WorkflowRef } from '../envelope/step-envelope.js';
import { decodeAs, type Decoded } from '../validation/decode.js';

export const EFFECT_RECORD_SCHEMA_VERSION = 1;

/** What one executed write counts toward one of its tool's effect limits. */
export class EffectClaimRecord {
  /** The limit's name in the workflow definition. */
  @IsString() @Length(1, 100) limit!: string;
  /** The key the limit counts per (`inv_2001`). */
  @IsString() @Length(1, 500) key!: string;
  /** What the write added to the key's total, for a limit with a sum. */
  @IsOptional() @IsNumber() amount?: number;
}

/**
 * A write the action service executed (or, in shadow mode, recorded), with what it counts
 * toward its tool's effect limits. Published on the effects topic in the transaction that
 * records it in the action service's effect ledger (key = runId), so other services can keep
 * their own copy: the escalation service checks a reviewer's edit against it.
 */
export class EffectRecord {
  @Equals(EFFECT_RECORD_SCHEMA_VERSION) schemaVersion!: typeof EFFECT_RECORD_SCHEMA_VERSION;
  /** The idempotency key of the tool call (`<runId>:<seq>:<tool>`): one record per write. */
  @IsString() @Length(1, 300) callKey!: string;
  @Matches(UUID_V7_PATTERN) runId!: string;
  @IsString() @Length(1, 100) tenantId!: string;
  @IsObject() @ValidateNested() @Type(() => WorkflowRef) workflow!: WorkflowRef;
  @IsString() @Length(1, 100) tool!: string;
  /** A shadow-mode write: recorded, never executed. */
  @IsBoolean() simulated!: boolean;
  @IsISO8601({ strict: true }) at!: string;
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => EffectClaimRecord)
  claims!: EffectClaimRecord[];
}

export function decodeEffectRecord(plain: unknown): Decoded<EffectRecord> {
  return decodeAs(EffectRecord, plain);
}
