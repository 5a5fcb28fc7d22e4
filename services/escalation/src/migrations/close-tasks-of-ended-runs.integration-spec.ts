import { MESSAGING_MIGRATIONS } from '@baton/messaging';
import { openDatabase } from '@baton/persistence';
import { freshSchema } from '@baton/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { CreateTasks1764158400000 } from './1764158400000-create-tasks.migration.js';
import { CloseTasksOfEndedRuns1795600000000 } from './1795600000000-close-tasks-of-ended-runs.migration.js';

describe(CloseTasksOfEndedRuns1795600000000.name, () => {
  const schema = freshSchema('esc-migration-closed');
  afterAll(() => schema.drop());

  it('adds the closed status, its columns and ended_runs, and is reversible', async () => {
    const dataSource = await openDatabase({
      url: schema.url,
      schema: schema.schema,
      migrations: [
        ...MESSAGING_MIGRATIONS,
        CreateTasks1764158400000,
        CloseTasksOfEndedRuns1795600000000,
      ],
    });
    const shape = async () => {
      const [row] = (await dataSource.query(
        `SELECT
           (SELECT count(*)::int FROM information_schema.tables
             WHERE table_schema = $1 AND table_name = 'ended_runs') AS ended_runs,
           (SELECT count(*)::int FROM information_schema.columns
             WHERE table_schema = $1 AND table_name = 'tasks'
               AND column_name IN ('closed_reason', 'closed_at')) AS closed_columns,
           (SELECT pg_get_constraintdef(c.oid) LIKE '%closed%' FROM pg_constraint c
              JOIN pg_namespace n ON n.oid = c.connamespace
             WHERE n.nspname = $1 AND c.conname = 'tasks_status_check') AS closed_allowed`,
        [schema.schema],
      )) as Array<{ ended_runs: number; closed_columns: number; closed_allowed: boolean }>;
      return row;
    };
    try {
      expect(await shape()).toEqual({ ended_runs: 1, closed_columns: 2, closed_allowed: true });
      await dataSource.undoLastMigration({ transaction: 'each' });
      expect(await shape()).toEqual({ ended_runs: 0, closed_columns: 0, closed_allowed: false });
      await dataSource.runMigrations({ transaction: 'each' });
      expect(await shape()).toEqual({ ended_runs: 1, closed_columns: 2, closed_allowed: true });
    } finally {
      await dataSource.destroy();
    }
  });
});
