import { defaultMetadataStorage } from 'class-transformer/cjs/storage.js';
import { validationMetadatasToSchemas } from 'class-validator-jsonschema';
import { reachableDefinitions } from '@baton/contracts';
import './workflow-definition.js';

type Schema = Record<string, unknown>;

export const WORKFLOW_SCHEMA_FILE = 'workflow-definition.v1.schema.json';

/**
 * The JSON Schema (draft 2020-12) of a workflow definition, generated from the class-validator
 * classes the loader validates with, so editors and the loader agree. `npm run docs:generate`
 * writes it to docs/schemas/; a unit test fails when the committed file is stale. The loader
 * still does more: the cross-field checks (granted tools, read-only queries, scope paths) and
 * the cron syntax are not expressible here.
 */
export function workflowDefinitionSchema(): Schema {
  const defs = validationMetadatasToSchemas({
    classTransformerMetadataStorage: defaultMetadataStorage,
    refPointerPrefix: '#/$defs/',
  }) as Record<string, Schema>;
  const used = reachableDefinitions('WorkflowDefinition', defs);
  // The loader rejects unknown fields (a misspelt `aprovals` must not drop the approvals), and
  // a section (`$ref` to an object) is never null anyway: say the first, drop the second.
  const closed = (schema: Schema): Schema => ({
    ...schema,
    properties: Object.fromEntries(
      Object.entries(schema['properties'] as Record<string, Schema>).map(([name, property]) => {
        if (!property['$ref']) return [name, property];
        const { not: _, ...rest } = property;
        return [name, rest];
      }),
    ),
    additionalProperties: false,
  });
  const { WorkflowDefinition: root, ...rest } = Object.fromEntries(
    used.map((name) => [name, closed(defs[name]!)]),
  );
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: `https://baton.dev/schemas/${WORKFLOW_SCHEMA_FILE}`,
    title: 'Baton workflow definition, format version 1',
    ...root,
    $defs: Object.fromEntries(Object.entries(rest).sort(([a], [b]) => a.localeCompare(b))),
  };
}
