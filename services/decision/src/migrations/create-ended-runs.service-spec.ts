import { CreateEndedRuns1796430000000, serviceMigrations } from '@baton/service-kit';
import { migrationUnderTest, type MigrationUnderTest } from '@baton/testing';
import { describe, expect, it } from 'vitest';
import { decisionService } from '../decision.service-definition.js';
import { CreateEndedRuns1795600000000 } from './1795600000000-create-ended-runs.migration.js';

/** ended_runs as the schema has it: each column's type, nullability, default, and the key. */
async function endedRunsShape(db: MigrationUnderTest) {
  const columns = await db.dataSource.query(
    `SELECT column_name, data_type, is_nullable, column_default
       FROM information_schema.columns
      WHERE table_schema = $1 AND table_name = 'ended_runs'
      ORDER BY ordinal_position`,
    [db.schema],
  );
  const key = await db.dataSource.query(
    `SELECT k.column_name
       FROM information_schema.table_constraints c
       JOIN information_schema.key_column_usage k
         ON k.constraint_schema = c.constraint_schema AND k.constraint_name = c.constraint_name
      WHERE c.table_schema = $1 AND c.table_name = 'ended_runs' AND c.constraint_type = 'PRIMARY KEY'`,
    [db.schema],
  );
  return { columns, key };
}

// The decision service created ended_runs before the kit had a migration for it; its schemas
// keep that migration in their history, so it stays in its list. The table must be the kit's,
// exactly: EndedRuns (the kit's) reads and writes it.
describe(CreateEndedRuns1795600000000.name, () => {
  it("creates the kit's ended_runs, column for column, and is reversible", async () => {
    const decision = await migrationUnderTest(
      'decision-ended-runs',
      serviceMigrations(decisionService),
      CreateEndedRuns1795600000000,
    );
    const kit = await migrationUnderTest(
      'kit-ended-runs',
      serviceMigrations({ migrations: [CreateEndedRuns1796430000000] }),
      CreateEndedRuns1796430000000,
    );
    try {
      const shape = await endedRunsShape(decision);
      expect(shape.columns.length).toBe(4);
      expect(shape).toEqual(await endedRunsShape(kit));

      await decision.down();
      expect(await decision.hasTable('ended_runs')).toBe(false);
      await decision.up();
      expect(await endedRunsShape(decision)).toEqual(shape);
    } finally {
      await decision.close();
      await kit.close();
    }
  });
});
