import pg from 'pg';
import type { DataSource } from 'typeorm';
import { openDatabase, type DatabaseOptions } from '@baton/persistence';
import { testDatabaseUrl } from './infra/environment.js';

let counter = 0;

/** A fresh schema name for one suite: `t_<label>_<pid>_<n>_<random>`. */
export function freshSchemaName(label: string): string {
  const clean = label.toLowerCase().replace(/[^a-z0-9]+/g, '_').slice(0, 20);
  counter += 1;
  return `t_${clean}_${process.pid}_${counter}_${Math.random().toString(36).slice(2, 7)}`;
}

export interface TestDatabase {
  readonly url: string;
  readonly schema: string;
  readonly dataSource: DataSource;
  /** Drops the schema and closes the pool. */
  drop(): Promise<void>;
}

/** Opens a fresh schema with the given migrations applied, as a service would at boot. */
export async function openTestDatabase(
  label: string,
  options: Pick<DatabaseOptions, 'migrations' | 'entities'>,
): Promise<TestDatabase> {
  const url = testDatabaseUrl();
  const schema = freshSchemaName(label);
  const dataSource = await openDatabase({ url, schema, ...options, poolSize: 20 });
  return {
    url,
    schema,
    dataSource,
    async drop() {
      await dataSource.destroy();
      await dropSchema(schema);
    },
  };
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
