import { CreateEffectLedger1796400000000 } from '@baton/effects';
import { MESSAGING_MIGRATIONS } from '@baton/messaging';
import { openDatabase } from '@baton/persistence';
import { freshSchema } from '@baton/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { CreateTasks1764158400000 } from './1764158400000-create-tasks.migration.js';
import { CloseTasksOfEndedRuns1795600000000 } from './1795600000000-close-tasks-of-ended-runs.migration.js';
import { AddTaskHighlights1796083200000 } from './1796083200000-add-task-highlights.migration.js';
import { AddTaskEscalationChain1796443200000 } from './1796443200000-add-task-escalation-chain.migration.js';
import { AddTaskClaims1796446800000 } from './1796446800000-add-task-claims.migration.js';

describe(AddTaskClaims1796446800000.name, () => {
  const schema = freshSchema('esc-migration-claims');
  afterAll(() => schema.drop());

  it('adds the claim columns (nobody holds the tasks already there), holder and end together, and is reversible', async () => {
    const dataSource = await openDatabase({
      url: schema.url,
      schema: schema.schema,
      migrations: [
        ...MESSAGING_MIGRATIONS,
        CreateTasks1764158400000,
        CloseTasksOfEndedRuns1795600000000,
        AddTaskHighlights1796083200000,
        CreateEffectLedger1796400000000,
        AddTaskEscalationChain1796443200000,
        AddTaskClaims1796446800000,
      ],
    });
    const claimColumns = async () =>
      (
        (await dataSource.query(
          `SELECT column_name FROM information_schema.columns
            WHERE table_schema = $1 AND table_name = 'tasks' AND column_name LIKE 'claimed_%'`,
          [schema.schema],
        )) as unknown[]
      ).length;
    try {
      expect(await claimColumns()).toBe(4);
      await dataSource.undoLastMigration({ transaction: 'each' });
      expect(await claimColumns()).toBe(0);
      await dataSource.query(
        `INSERT INTO tasks (id, source_envelope_id, run_id, workflow_id, workflow_version, tenant_id,
                            queue, status, reason, state, envelope, created_at, sla_due_at)
         VALUES ('019b7a5e-0000-7000-8000-000000000001', gen_random_uuid(), gen_random_uuid(),
                 'billing-dispute', 1, 'acme', 'billing', 'open', 'why', '{}', '{}', now(), now())`,
      );
      await dataSource.runMigrations({ transaction: 'each' });
      expect(await claimColumns()).toBe(4);
      expect(await dataSource.query('SELECT claimed_by, claimed_until FROM tasks')).toEqual([
        { claimed_by: null, claimed_until: null },
      ]);
      await expect(dataSource.query(`UPDATE tasks SET claimed_by = 'rita'`)).rejects.toThrow(
        /tasks_claim_check/,
      );
    } finally {
      await dataSource.destroy();
    }
  });
});
