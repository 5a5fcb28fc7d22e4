import pg from 'pg';
import { testDatabaseUrl } from './infra/environment.js';

let counter = 0;

/** A fresh schema name for one suite: `t_<label>_<pid>_<n>_<random>`. */
export function freshSchemaName(label: string): string {
  const clean = label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .slice(0, 20);
  counter += 1;
  return `t_${clean}_${process.pid}_${counter}_${Math.random().toString(36).slice(2, 7)}`;
}

export interface TestSchema {
  readonly url: string;
  readonly schema: string;
  /** Drops the schema and everything in it. */
  drop(): Promise<void>;
}

/**
 * A fresh, empty schema for one suite. The suite opens it the way a service does
 * (`openDatabase` with the service's migrations), so migrations run as in production.
 */
export function freshSchema(label: string): TestSchema {
  const schema = freshSchemaName(label);
  return { url: testDatabaseUrl(), schema, drop: () => dropSchema(schema) };
}

export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: testDatabaseUrl() });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}
