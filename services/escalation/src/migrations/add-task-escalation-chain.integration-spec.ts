import { CreateEffectLedger1796400000000 } from '@baton/effects';
import { MESSAGING_MIGRATIONS } from '@baton/messaging';
import { openDatabase } from '@baton/persistence';
import { freshSchema } from '@baton/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { CreateTasks1764158400000 } from './1764158400000-create-tasks.migration.js';
import { CloseTasksOfEndedRuns1795600000000 } from './1795600000000-close-tasks-of-ended-runs.migration.js';
import { AddTaskHighlights1796083200000 } from './1796083200000-add-task-highlights.migration.js';
import { AddTaskEscalationChain1796443200000 } from './1796443200000-add-task-escalation-chain.migration.js';

const INSERT_TASK = `
  INSERT INTO tasks (id, source_envelope_id, run_id, workflow_id, workflow_version, tenant_id,
                     queue, status, reason, state, envelope, created_at, sla_due_at, escalated_at)
  VALUES ($1, gen_random_uuid(), gen_random_uuid(), 'billing-dispute', 1, 'acme', 'billing',
          'open', 'why', '{}', '{}', '2026-01-01T10:00:00Z', $2, $3)`;

describe(AddTaskEscalationChain1796443200000.name, () => {
  const schema = freshSchema('esc-migration-chain');
  afterAll(() => schema.drop());

  it('adds the chain columns and the notifications table, starts old tasks at step 0, and is reversible', async () => {
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
      ],
    });
    const notificationsTable = async () =>
      (
        (await dataSource.query(
          `SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND table_name = 'task_notifications'`,
          [schema.schema],
        )) as unknown[]
      ).length;
    const old = '019b7a5e-0000-7000-8000-000000000001';
    const left = '019b7a5e-0000-7000-8000-000000000002';
    try {
      expect(await notificationsTable()).toBe(1);
      await dataSource.undoLastMigration({ transaction: 'each' });
      expect(await notificationsTable()).toBe(0);
      // A task from before the chain, already marked overdue by the old sweep.
      await dataSource.query(INSERT_TASK, [old, '2026-01-01T14:00:00Z', '2026-01-01T14:01:00Z']);

      await dataSource.runMigrations({ transaction: 'each' });
      expect(await notificationsTable()).toBe(1);
      expect(await dataSource.query('SELECT chain_step, moves FROM tasks')).toEqual([
        { chain_step: 0, moves: [] },
      ]);
      // A task left with no SLA (a `leave` fallback), and a notification of the old task.
      await dataSource.query(INSERT_TASK, [left, null, '2026-01-01T15:00:00Z']);
      await dataSource.query(
        `INSERT INTO task_notifications (id, task_id, step, url, body, status, created_at)
         VALUES (gen_random_uuid(), $1, 1, 'https://hooks.acme.example/x', '{}', 'pending', now())`,
        [old],
      );
      await expect(
        dataSource.query(
          `INSERT INTO task_notifications (id, task_id, step, url, body, status, created_at)
           VALUES (gen_random_uuid(), $1, 1, 'https://hooks.acme.example/x', '{}', 'pending', now())`,
          [old],
        ),
      ).rejects.toThrow(/duplicate key/); // one notification per task and step

      await dataSource.undoLastMigration({ transaction: 'each' });
      // The task without an SLA gets back the time its SLA was last acted on.
      const rows = (await dataSource.query(
        'SELECT id, sla_due_at FROM tasks ORDER BY id',
      )) as Array<{ id: string; sla_due_at: Date }>;
      expect(rows.map((row) => [row.id, row.sla_due_at.toISOString()])).toEqual([
        [old, '2026-01-01T14:00:00.000Z'],
        [left, '2026-01-01T15:00:00.000Z'],
      ]);
      await dataSource.runMigrations({ transaction: 'each' });
      expect(await notificationsTable()).toBe(1);
    } finally {
      await dataSource.destroy();
    }
  });
});
