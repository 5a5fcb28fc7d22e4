import type { DataSource } from 'typeorm';
import { openDatabase } from '@baton/persistence';
import { freshSchema } from './test-database.js';

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
type Migration = Function;

export interface MigrationUnderTest {
  readonly dataSource: DataSource;
  readonly schema: string;
  /** How many columns of `table` match a LIKE pattern (`claimed_%`). */
  columns(table: string, like: string): Promise<number>;
  /** Whether the schema holds this table. */
  hasTable(table: string): Promise<boolean>;
  /** Takes the migration under test back. */
  down(): Promise<void>;
  /** Runs it again (after rows were written the way the older schema had them). */
  up(): Promise<void>;
  /** Closes the connection and drops the schema. */
  close(): Promise<void>;
}

/**
 * A fresh schema migrated the way a service migrates it — `migrations` in order (the kit's
 * `serviceMigrations(definition)`) — up to and including `migration`, the one under test, so a
 * test can take it back, write rows as the older schema had them, and run it again.
 */
export async function migrationUnderTest(
  label: string,
  migrations: readonly Migration[],
  migration: Migration,
): Promise<MigrationUnderTest> {
  const last = migrations.indexOf(migration);
  if (last < 0) throw new Error(`${migration.name} is not in the list of migrations`);
  const fresh = freshSchema(label);
  const dataSource = await openDatabase({
    url: fresh.url,
    schema: fresh.schema,
    migrations: migrations.slice(0, last + 1),
  });
  const count = async (sql: string, params: unknown[]) =>
    ((await dataSource.query(sql, [fresh.schema, ...params])) as unknown[]).length;
  return {
    dataSource,
    schema: fresh.schema,
    columns: (table, like) =>
      count(
        `SELECT 1 FROM information_schema.columns
          WHERE table_schema = $1 AND table_name = $2 AND column_name LIKE $3`,
        [table, like],
      ),
    hasTable: async (table) =>
      (await count(
        'SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND table_name = $2',
        [table],
      )) === 1,
    down: () => dataSource.undoLastMigration({ transaction: 'each' }),
    up: async () => {
      await dataSource.runMigrations({ transaction: 'each' });
    },
    close: async () => {
      await dataSource.destroy();
      await fresh.drop();
    },
  };
}
