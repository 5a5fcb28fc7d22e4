import { defaultMetadataStorage } from 'class-transformer/cjs/storage.js';
import { validationMetadatasToSchemas } from 'class-validator-jsonschema';
import { STEP_KINDS } from '../envelope/step-kind.js';
import { STEP_PAYLOAD_CLASSES } from '../envelope/step-payloads.js';
import '../envelope/step-envelope.js';
import '../trigger/trigger-event.js';

type Schema = Record<string, unknown>;

const SCHEMA_BASE = 'https://baton.dev/schemas';

/**
 * The JSON Schema of every class-validator class loaded so far (the contracts, and whatever
 * else the caller imported: a service's request classes), by class name, each `$ref` starting
 * with `refPointerPrefix` (`#/$defs/` for a schema file, `#/components/schemas/` for OpenAPI and
 * AsyncAPI). The schema files, the OpenAPI document and the AsyncAPI document all come from here.
 */
export function contractDefinitions(refPointerPrefix: string): Record<string, Schema> {
  const defs = normaliseTimestamps(
    validationMetadatasToSchemas({
      classTransformerMetadataStorage: defaultMetadataStorage,
      refPointerPrefix,
    }),
  ) as Record<string, Schema>;
  // The envelope's payload is a union discriminated by `kind`; say so explicitly.
  const envelope = defs['StepEnvelopeDto'] as { properties: Record<string, Schema> };
  envelope.properties['payload'] = {
    description: 'The step payload; `kind` equals `step.kind`.',
    oneOf: STEP_KINDS.map((kind) => ({
      $ref: `${refPointerPrefix}${STEP_PAYLOAD_CLASSES[kind].name}`,
    })),
  };
  return defs;
}

/**
 * JSON Schemas (draft 2020-12) generated from the class-validator contract classes, so the
 * documented contract and the validating code cannot drift. `npm run docs:generate` writes them
 * to docs/schemas/; a unit test fails when the committed files are stale.
 */
export function contractSchemas(): Record<string, Schema> {
  const defs = contractDefinitions('#/$defs/');

  const document = (root: string, id: string, title: string, description: string): Schema => {
    const used = reachableDefinitions(root, defs);
    const { [root]: rootSchema, ...rest } = Object.fromEntries(
      used.map((name) => [name, defs[name]]),
    );
    return {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      $id: `${SCHEMA_BASE}/${id}`,
      title,
      description,
      ...(rootSchema as Schema),
      ...(Object.keys(rest).length ? { $defs: rest } : {}),
    };
  };

  return {
    'trigger-event.v1.schema.json': document(
      'TriggerEvent',
      'trigger-event.v1.schema.json',
      'Baton trigger event, version 1',
      'Published by upstream systems to the trigger ingress topic (or POSTed to /v1/triggers) to start a workflow run.',
    ),
    'step-envelope.v1.schema.json': document(
      'StepEnvelopeDto',
      'step-envelope.v1.schema.json',
      'Baton step envelope, version 1',
      'What Baton services send each other on the step topics. Kafka key = runId.',
    ),
  };
}

/** The names of the `$defs` a root definition refers to, directly or not, itself included. */
export function reachableDefinitions(
  root: string,
  defs: Record<string, Record<string, unknown>>,
  refPointerPrefix = '#/$defs/',
): string[] {
  const escaped = refPointerPrefix.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const ref = new RegExp(`"${escaped}([A-Za-z0-9_]+)"`, 'g');
  const seen = new Set<string>();
  const visit = (name: string) => {
    if (seen.has(name) || !defs[name]) return;
    seen.add(name);
    for (const match of JSON.stringify(defs[name]).matchAll(ref)) {
      visit(match[1]!);
    }
  };
  visit(root);
  return [...seen];
}

/**
 * `@IsISO8601` becomes `oneOf: [date, date-time]`, which a validator without format checks
 * sees as matching both (so failing `oneOf`). Baton's timestamps are date-times: say that.
 */
function normaliseTimestamps(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normaliseTimestamps);
  if (!value || typeof value !== 'object') return value;
  const oneOf = (value as { oneOf?: Array<{ format?: string }> }).oneOf;
  if (oneOf?.length === 2 && oneOf[0]?.format === 'date' && oneOf[1]?.format === 'date-time') {
    const { oneOf: _, ...rest } = value as Record<string, unknown>;
    return { ...rest, type: 'string', format: 'date-time' };
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normaliseTimestamps(v)]));
}
