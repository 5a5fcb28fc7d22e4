import 'reflect-metadata';
import { createHash } from 'node:crypto';
import { canonicalJson } from '../validation/canonical-json.js';
import {
  Equals,
  IsInt,
  IsISO8601,
  IsObject,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  Min,
} from 'class-validator';
import { JSONSchema } from 'class-validator-jsonschema';
import {
  IDEMPOTENCY_KEY_MAX,
  TENANT_ID_MAX,
  WORKFLOW_ID_PATTERN,
} from '../envelope/step-envelope.js';
import {
  INT32_MAX,
  JSON_LIMITS,
  JsonValue,
  decodeAs,
  findShapeProblems,
  findUnstorableText,
  type Decoded,
} from '../validation/decode.js';

export const TRIGGER_EVENT_SCHEMA_VERSION = 1;

/**
 * What an upstream system publishes to start a run (Kafka ingress topic or HTTP). This is
 * the public contract; docs/schemas/trigger-event.v1.schema.json is generated from it.
 */
export class TriggerEvent {
  /** Contract version; this release reads 1. */
  @JSONSchema({ description: 'Contract version; this release reads 1.' })
  @Equals(TRIGGER_EVENT_SCHEMA_VERSION)
  schemaVersion!: typeof TRIGGER_EVENT_SCHEMA_VERSION;
  /**
   * Unique per business event in the tenant; a repeat of the same event starts nothing and
   * returns the existing run, the key with a different event is refused (see triggerEventDigest).
   */
  @JSONSchema({
    description:
      'Unique per business event within the tenant. A repeat of the same event starts nothing: it returns the run the first one started. The same key with a different event is refused.',
    examples: ['zendesk-ticket-48213'],
  })
  @IsString()
  @Length(1, IDEMPOTENCY_KEY_MAX)
  idempotencyKey!: string;
  /** The workflow to run, such as `billing-dispute`. */
  @JSONSchema({ description: 'The workflow to run.', examples: ['billing-dispute'] })
  @Matches(WORKFLOW_ID_PATTERN, {
    message: 'workflowId must be lowercase letters, digits and dashes',
  })
  workflowId!: string;
  /** Pins a published version; the latest published version when absent. */
  @JSONSchema({
    description:
      'Pins a published version of the workflow; the latest published version when absent.',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(INT32_MAX)
  workflowVersion?: number;
  @JSONSchema({
    description: 'The tenant (customer organisation) the event belongs to.',
    examples: ['acme'],
  })
  @IsString()
  @Length(1, TENANT_ID_MAX)
  tenantId!: string;
  /** The upstream event type, such as `support.ticket.created`. */
  @JSONSchema({ description: 'The upstream event type.', examples: ['support.ticket.created'] })
  @IsString()
  @Length(1, 200)
  eventType!: string;
  /** The upstream system, such as `zendesk`. */
  @JSONSchema({ description: 'The upstream system that sent it.', examples: ['zendesk'] })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  source?: string;
  @JSONSchema({ description: 'When it happened upstream (ISO 8601).' })
  @IsOptional()
  @IsISO8601({ strict: true })
  occurredAt?: string;
  /** The business data the workflow reads, as the workflow's trigger declares it. */
  @JSONSchema({ description: 'The business data the workflow reads, as its trigger declares it.' })
  @IsObject()
  @JsonValue()
  data!: Record<string, unknown>;
}

/**
 * How deep `data` may nest: well inside JSON_LIMITS, so every envelope and run event that
 * carries it (a few levels further down) still decodes.
 */
export const TRIGGER_DATA_DEPTH = 32;

export function decodeTriggerEvent(plain: unknown): Decoded<TriggerEvent> {
  const version = (plain as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (plain && typeof plain === 'object' && version !== TRIGGER_EVENT_SCHEMA_VERSION) {
    return {
      ok: false,
      errors: [
        `schemaVersion: this release reads version ${TRIGGER_EVENT_SCHEMA_VERSION}, got ${JSON.stringify(version)}`,
      ],
    };
  }
  const data = (plain as { data?: unknown } | null)?.data;
  const deep = findShapeProblems(data, { ...JSON_LIMITS, depth: TRIGGER_DATA_DEPTH }, 'data');
  if (deep.length > 0) return { ok: false, errors: deep };
  const decoded = decodeAs(TriggerEvent, plain);
  // Text Postgres cannot store is the sender's error, named by path like any other: a 400
  // over HTTP, a dead letter over Kafka, never a failed insert.
  const unstorable = plain && typeof plain === 'object' ? findUnstorableText(plain) : [];
  if (unstorable.length === 0) return decoded;
  return { ok: false, errors: [...(decoded.ok ? [] : decoded.errors), ...unstorable] };
}

/** The fields the contract defines: unknown extra fields are accepted, ignored and not digested. */
export const TRIGGER_EVENT_FIELDS = [
  'schemaVersion',
  'idempotencyKey',
  'workflowId',
  'workflowVersion',
  'tenantId',
  'eventType',
  'source',
  'occurredAt',
  'data',
] as const satisfies ReadonlyArray<keyof TriggerEvent>;

/**
 * What "the same event" means for an idempotency key: SHA-256 (hex) of the canonical JSON of
 * the event's contract fields (keys sorted at every level, no whitespace, absent optional
 * fields left out). Key order, whitespace and unknown extra fields do not change it; any value
 * does, `occurredAt` included. A key resent with the same digest gets the run it started;
 * with another digest it is refused.
 */
export function triggerEventDigest(event: TriggerEvent): string {
  const fields: Record<string, unknown> = {};
  for (const field of TRIGGER_EVENT_FIELDS) fields[field] = event[field];
  return createHash('sha256').update(canonicalJson(fields)).digest('hex');
}
