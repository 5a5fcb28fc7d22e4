import 'reflect-metadata';
import {
  Equals,
  IsIn,
  IsBoolean,
  IsInt,
  IsISO8601,
  IsObject,
  IsOptional,
  IsString,
  Length,
  Matches,
  Min,
} from 'class-validator';
import { WORKFLOW_ID_PATTERN } from '../envelope/step-envelope.js';
import { JsonValue, decodeAs, parseJson, type Decoded } from '../validation/decode.js';

export const WORKFLOW_RECORD_SCHEMA_VERSION = 1;

/** Where a registry entry came from: a service's bundled folder, or `POST /v1/workflows`. */
export const WORKFLOW_SOURCES = ['bundled', 'published'] as const;
export type WorkflowSource = (typeof WORKFLOW_SOURCES)[number];

/**
 * One published workflow version on the registry topic (`baton.workflow.definitions`, keyed
 * `<id>@<version>`, compacted). Its definition is immutable: a new version is a new record. A
 * candidate version (`candidate: true`) is published but not live; promoting it republishes the
 * same record with `candidate: false` and `promotedAt`/`promotedBy` (the compacted topic keeps
 * the last). `definition` is the plain JSON of the definition; the services validate it as they
 * validate a file. Records without `candidate` (older ones) are live.
 */
export class WorkflowRecord {
  @Equals(WORKFLOW_RECORD_SCHEMA_VERSION)
  schemaVersion!: typeof WORKFLOW_RECORD_SCHEMA_VERSION;
  @Matches(WORKFLOW_ID_PATTERN, { message: 'id must be lowercase letters, digits and dashes' })
  id!: string;
  @IsInt()
  @Min(1)
  version!: number;
  @IsISO8601({ strict: true })
  publishedAt!: string;
  /** The API key name that published it, or `bundled:<service>`. */
  @IsString()
  @Length(1, 200)
  publishedBy!: string;
  @IsIn(WORKFLOW_SOURCES)
  source!: WorkflowSource;
  /** SHA-256 (hex) of the canonical JSON of `definition` (keys sorted, no spaces). */
  @Matches(/^[0-9a-f]{64}$/, { message: 'digest must be 64 lowercase hex digits (SHA-256)' })
  digest!: string;
  @IsObject()
  @JsonValue()
  definition!: Record<string, unknown>;
  /** Published as a candidate: new triggers do not start it until it is promoted. */
  @IsOptional()
  @IsBoolean()
  candidate?: boolean;
  /** When a candidate was promoted (made live). */
  @IsOptional()
  @IsISO8601({ strict: true })
  promotedAt?: string;
  /** The API key name that promoted it. */
  @IsOptional()
  @IsString()
  @Length(1, 200)
  promotedBy?: string;
  /** Why the promoting admin overrode a failed publish gate; absent when the gate was met. */
  @IsOptional()
  @IsString()
  @Length(1, 1000)
  overrideReason?: string;
}

/** The record key: `<workflowId>@<version>`. */
export function workflowRecordKey(id: string, version: number): string {
  return `${id}@${version}`;
}

/** Decodes a registry record's value; every problem names its field. */
export function decodeWorkflowRecord(value: Buffer | string | null): Decoded<WorkflowRecord> {
  if (value === null) return { ok: false, errors: ['(root): empty record (a tombstone)'] };
  const parsed = parseJson(typeof value === 'string' ? value : value.toString('utf8'));
  return parsed.ok ? decodeAs(WorkflowRecord, parsed.value) : parsed;
}
