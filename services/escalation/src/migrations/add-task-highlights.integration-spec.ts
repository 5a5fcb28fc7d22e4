import { MESSAGING_MIGRATIONS } from '@baton/messaging';
import { openDatabase } from '@baton/persistence';
import { freshSchema } from '@baton/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { CreateTasks1764158400000 } from './1764158400000-create-tasks.migration.js';
import { CloseTasksOfEndedRuns1795600000000 } from './1795600000000-close-tasks-of-ended-runs.migration.js';
import { AddTaskHighlights1796083200000 } from './1796083200000-add-task-highlights.migration.js';

describe(AddTaskHighlights1796083200000.name, () => {
  const schema = freshSchema('esc-migration-highlights');
  afterAll(() => schema.drop());

  it('adds highlights, [] for the tasks already there, and is reversible', async () => {
    const dataSource = await openDatabase({
      url: schema.url,
      schema: schema.schema,
      migrations: [
        ...MESSAGING_MIGRATIONS,
        CreateTasks1764158400000,
        CloseTasksOfEndedRuns1795600000000,
        AddTaskHighlights1796083200000,
      ],
    });
    const columns = async () =>
      (
        (await dataSource.query(
          `SELECT column_name FROM information_schema.columns
            WHERE table_schema = $1 AND table_name = 'tasks' AND column_name = 'highlights'`,
          [schema.schema],
        )) as unknown[]
      ).length;
    try {
      expect(await columns()).toBe(1);
      await dataSource.undoLastMigration({ transaction: 'each' });
      expect(await columns()).toBe(0);
      // A task from before the column gets none.
      await dataSource.query(
        `INSERT INTO tasks (id, source_envelope_id, run_id, workflow_id, workflow_version, tenant_id,
                            queue, status, reason, state, envelope, created_at, sla_due_at)
         VALUES (gen_random_uuid(), gen_random_uuid(), gen_random_uuid(), 'billing-dispute', 1,
                 'acme', 'billing', 'open', 'why', '{}', '{}', now(), now())`,
      );
      await dataSource.runMigrations({ transaction: 'each' });
      expect(await columns()).toBe(1);
      expect(await dataSource.query('SELECT highlights FROM tasks')).toEqual([{ highlights: [] }]);
    } finally {
      await dataSource.destroy();
    }
  });
});
