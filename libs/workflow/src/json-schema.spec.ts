import { readFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020.js';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { WORKFLOW_SCHEMA_FILE, workflowDefinitionSchema } from './json-schema.js';
import { parseWorkflow } from './load-workflow.js';

const docs = new URL('../../../docs/', import.meta.url);
const billing = readFileSync(
  new URL('../../../workflows/billing-dispute/workflow.yaml', import.meta.url),
  'utf8',
);

type Schema = { properties: Record<string, unknown>; $defs: Record<string, Schema> };

describe('the workflow definition JSON Schema', () => {
  const schema = workflowDefinitionSchema();
  const validate = new Ajv2020.default({ strict: false, allErrors: true }).compile(schema);

  it('matches the committed file (run `npm run docs:generate` after changing the definition)', () => {
    const committed = JSON.parse(
      readFileSync(new URL(`schemas/${WORKFLOW_SCHEMA_FILE}`, docs), 'utf8'),
    ) as object;
    expect(committed).toEqual(schema);
  });

  it('accepts the shipped billing-dispute definition, which the loader accepts too', () => {
    const definition = parse(billing) as unknown;
    expect(validate(definition), JSON.stringify(validate.errors)).toBe(true);
    expect(parseWorkflow(billing, { format: 'yaml' }).ok).toBe(true);
  });

  it('rejects what the loader rejects structurally: a missing owner, an unknown field', () => {
    const { owner: _, ...definition } = parse(billing) as Record<string, unknown>;
    const misspelt = {
      ...definition,
      validation: { ...(definition['validation'] as object), aprovals: [] },
    };
    expect(validate(misspelt)).toBe(false);
    expect(validate.errors?.map((e) => `${e.instancePath} ${e.message}`)).toEqual(
      expect.arrayContaining([
        " must have required property 'owner'",
        '/validation must NOT have additional properties',
      ]),
    );
    expect(parseWorkflow(JSON.stringify(misspelt)).ok).toBe(false);
  });

  it('is the one the shipped YAML names for editors', () => {
    expect(billing.split('\n')[0]).toBe(
      `# yaml-language-server: $schema=../../docs/schemas/${WORKFLOW_SCHEMA_FILE}`,
    );
  });

  it('has every field documented in docs/workflows.md', () => {
    const reference = readFileSync(new URL('workflows.md', docs), 'utf8');
    const { $defs, properties } = schema as unknown as Schema;
    const fields = [
      ...Object.keys(properties),
      ...Object.values($defs).flatMap((def) => Object.keys(def.properties)),
    ];
    const undocumented = [...new Set(fields)].filter(
      (field) => !reference.includes(`| \`${field}\``),
    );
    expect(undocumented).toEqual([]);
  });
});
