import { readFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { aDecisionEnvelope } from '../examples/envelope.examples.js';
import { decodeTriggerEvent } from '../trigger/trigger-event.js';
import { contractSchemas } from './json-schema.js';

const docs = new URL('../../../../docs/', import.meta.url);
const committed = (file: string) =>
  JSON.parse(readFileSync(new URL(`schemas/${file}`, docs), 'utf8')) as object;

describe('contract JSON Schemas', () => {
  const schemas = contractSchemas();

  it('match the committed files in docs/schemas (run `npm run docs:generate` after changing a contract)', () => {
    for (const [file, schema] of Object.entries(schemas))
      expect(committed(file), file).toEqual(schema);
  });

  it('accept the documented example trigger event, which the decoder accepts too', () => {
    const example = JSON.parse(
      readFileSync(new URL('examples/trigger-event.json', docs), 'utf8'),
    ) as unknown;
    const validate = new Ajv2020.default({ strict: false }).compile(
      schemas['trigger-event.v1.schema.json']!,
    );
    expect(validate(example), JSON.stringify(validate.errors)).toBe(true);
    expect(decodeTriggerEvent(example).ok).toBe(true);
  });

  it('reject what the decoder rejects: a trigger event without data', () => {
    const validate = new Ajv2020.default({ strict: false }).compile(
      schemas['trigger-event.v1.schema.json']!,
    );
    const event = {
      schemaVersion: 1,
      idempotencyKey: 'k',
      workflowId: 'w',
      tenantId: 't',
      eventType: 'e',
    };
    expect(validate(event)).toBe(false);
    expect(decodeTriggerEvent(event)).toEqual({
      ok: false,
      errors: ['data: is required'],
    });
  });

  it('describe a real envelope', () => {
    const validate = new Ajv2020.default({ strict: false }).compile(
      schemas['step-envelope.v1.schema.json']!,
    );
    const envelope = JSON.parse(JSON.stringify(aDecisionEnvelope())) as unknown;
    expect(validate(envelope), JSON.stringify(validate.errors)).toBe(true);
  });
});
