import { DataSource, type MixedList, type EntitySchema } from 'typeorm';
import { inProcessConnection } from './in-process-postgres.js';

export const SCHEMA_NAME_PATTERN = /^[a-z_][a-z0-9_]{0,62}$/;

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
type EntityList = MixedList<Function | string | EntitySchema>;
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
type MigrationList = MixedList<Function | string>;

export interface DatabaseOptions {
  /** `postgres://user@host:port/db` */
  url: string;
  /** The service's own schema: each service owns its tables and reads no one else's. */
  schema: string;
  /** Migration classes, run in order (never `synchronize`). */
  migrations: MigrationList;
  entities?: EntityList;
  /** Pool size per process. */
  poolSize?: number;
  /** Shown in `pg_stat_activity`. */
  applicationName?: string;
}

/**
 * Opens the service's database: creates its schema if needed and runs its migrations under
 * an advisory lock, so replicas starting together migrate once. Unqualified names in SQL
 * resolve to the service's schema (search_path), which is what lets each test suite use a
 * fresh schema with the same migrations.
 */
export async function openDatabase(options: DatabaseOptions): Promise<DataSource> {
  if (!SCHEMA_NAME_PATTERN.test(options.schema)) {
    throw new Error(`schema "${options.schema}" must match ${SCHEMA_NAME_PATTERN}`);
  }
  const dataSource = new DataSource({
    type: 'postgres',
    url: options.url,
    schema: options.schema,
    entities: options.entities ?? [],
    migrations: options.migrations,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: false,
    applicationName: options.applicationName ?? options.schema,
    extra: {
      max: options.poolSize ?? 10,
      options: `-c search_path=${options.schema}`,
      // Embedded mode: an in-memory stream to the PGlite of this process, no socket.
      ...inProcessConnection(options.url),
    },
  });
  await dataSource.initialize();
  try {
    await migrate(dataSource, options.schema);
  } catch (error) {
    await dataSource.destroy();
    throw error;
  }
  return dataSource;
}

async function migrate(dataSource: DataSource, schema: string): Promise<void> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock(hashtext($1))', [`baton:migrate:${schema}`]);
    await runner.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    await dataSource.runMigrations({ transaction: 'each' });
  } finally {
    await runner.query('SELECT pg_advisory_unlock(hashtext($1))', [`baton:migrate:${schema}`]);
    await runner.release();
  }
}

/** Liveness of the connection for readiness probes. */
export async function pingDatabase(dataSource: DataSource): Promise<void> {
  await dataSource.query('SELECT 1');
}
