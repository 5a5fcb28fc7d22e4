// Writes the generated parts of the docs: JSON Schemas of the contracts and of workflow
// definitions, the OpenAPI document of the services' HTTP APIs and the AsyncAPI document of the
// topics (docs/schemas/), and the settings reference (docs/settings.md). Unit tests fail when
// they are stale.
import { mkdirSync, writeFileSync } from 'node:fs';
import { contractSchemas } from '@baton/contracts';
import { WORKFLOW_SCHEMA_FILE, workflowDefinitionSchema } from '@baton/workflow';
import { CASE_SCHEMA_FILE, workflowCaseSchema } from '../libs/cli/src/cases/case-schema.js';
import {
  ASYNCAPI_FILE,
  OPENAPI_FILE,
  asyncApiDocumentOfTopics,
  openApiDocumentOfServices,
} from './api-documents.js';
import { settingsReference } from './settings-reference.js';

const docs = new URL('../docs/', import.meta.url);
mkdirSync(new URL('schemas/', docs), { recursive: true });
const schemas = {
  ...contractSchemas(),
  [WORKFLOW_SCHEMA_FILE]: workflowDefinitionSchema(),
  [CASE_SCHEMA_FILE]: workflowCaseSchema(),
  [OPENAPI_FILE]: await openApiDocumentOfServices(),
  [ASYNCAPI_FILE]: asyncApiDocumentOfTopics(),
};
for (const [file, schema] of Object.entries(schemas)) {
  writeFileSync(new URL(`schemas/${file}`, docs), `${JSON.stringify(schema, null, 2)}\n`);
  process.stdout.write(`wrote docs/schemas/${file}\n`);
}
writeFileSync(new URL('settings.md', docs), settingsReference());
process.stdout.write('wrote docs/settings.md\n');
