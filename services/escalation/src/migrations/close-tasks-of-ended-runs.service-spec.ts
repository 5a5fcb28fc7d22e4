import { serviceMigrations } from '@baton/service-kit';
import { migrationUnderTest } from '@baton/testing';
import { describe, expect, it } from 'vitest';
import { escalationService } from '../escalation.service-definition.js';
import { CloseTasksOfEndedRuns1795600000000 } from './1795600000000-close-tasks-of-ended-runs.migration.js';

describe(CloseTasksOfEndedRuns1795600000000.name, () => {
  it('adds the closed status, its columns and ended_runs, and is reversible', async () => {
    const db = await migrationUnderTest(
      'esc-migration-closed',
      serviceMigrations(escalationService),
      CloseTasksOfEndedRuns1795600000000,
    );
    const shape = async () => {
      const [row] = (await db.dataSource.query(
        `SELECT
           (SELECT count(*)::int FROM information_schema.tables
             WHERE table_schema = $1 AND table_name = 'ended_runs') AS ended_runs,
           (SELECT count(*)::int FROM information_schema.columns
             WHERE table_schema = $1 AND table_name = 'tasks'
               AND column_name IN ('closed_reason', 'closed_at')) AS closed_columns,
           (SELECT pg_get_constraintdef(c.oid) LIKE '%closed%' FROM pg_constraint c
              JOIN pg_namespace n ON n.oid = c.connamespace
             WHERE n.nspname = $1 AND c.conname = 'tasks_status_check') AS closed_allowed`,
        [db.schema],
      )) as Array<{ ended_runs: number; closed_columns: number; closed_allowed: boolean }>;
      return row;
    };
    try {
      expect(await shape()).toEqual({ ended_runs: 1, closed_columns: 2, closed_allowed: true });
      await db.down();
      expect(await shape()).toEqual({ ended_runs: 0, closed_columns: 0, closed_allowed: false });
      await db.up();
      expect(await shape()).toEqual({ ended_runs: 1, closed_columns: 2, closed_allowed: true });
    } finally {
      await db.close();
    }
  });
});
