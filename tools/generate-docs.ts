// Writes the JSON Schemas generated from the contract classes to docs/schemas/.
import { mkdirSync, writeFileSync } from 'node:fs';
import { contractSchemas } from '@baton/contracts';

const dir = new URL('../docs/schemas/', import.meta.url);
mkdirSync(dir, { recursive: true });
for (const [file, schema] of Object.entries(contractSchemas())) {
  writeFileSync(new URL(file, dir), `${JSON.stringify(schema, null, 2)}\n`);
  process.stdout.write(`wrote docs/schemas/${file}\n`);
}
