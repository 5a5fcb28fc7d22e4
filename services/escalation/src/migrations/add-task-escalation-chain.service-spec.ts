import { serviceMigrations } from '@baton/service-kit';
import { migrationUnderTest } from '@baton/testing';
import { describe, expect, it } from 'vitest';
import { escalationService } from '../escalation.service-definition.js';
import { AddTaskEscalationChain1796443200000 } from './1796443200000-add-task-escalation-chain.migration.js';

const INSERT_TASK = `
  INSERT INTO tasks (id, source_envelope_id, run_id, workflow_id, workflow_version, tenant_id,
                     queue, status, reason, state, envelope, created_at, sla_due_at, escalated_at)
  VALUES ($1, gen_random_uuid(), gen_random_uuid(), 'billing-dispute', 1, 'acme', 'billing',
          'open', 'why', '{}', '{}', '2026-01-01T10:00:00Z', $2, $3)`;

describe(AddTaskEscalationChain1796443200000.name, () => {
  it('adds the chain columns and the notifications table, starts old tasks at step 0, and is reversible', async () => {
    const db = await migrationUnderTest(
      'esc-migration-chain',
      serviceMigrations(escalationService),
      AddTaskEscalationChain1796443200000,
    );
    const { dataSource } = db;
    const notificationsTable = () => db.hasTable('task_notifications');
    const old = '019b7a5e-0000-7000-8000-000000000001';
    const left = '019b7a5e-0000-7000-8000-000000000002';
    try {
      expect(await notificationsTable()).toBe(true);
      await db.down();
      expect(await notificationsTable()).toBe(false);
      // A task from before the chain, already marked overdue by the old sweep.
      await dataSource.query(INSERT_TASK, [old, '2026-01-01T14:00:00Z', '2026-01-01T14:01:00Z']);

      await db.up();
      expect(await notificationsTable()).toBe(true);
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

      await db.down();
      // The task without an SLA gets back the time its SLA was last acted on.
      const rows = (await dataSource.query(
        'SELECT id, sla_due_at FROM tasks ORDER BY id',
      )) as Array<{ id: string; sla_due_at: Date }>;
      expect(rows.map((row) => [row.id, row.sla_due_at.toISOString()])).toEqual([
        [old, '2026-01-01T14:00:00.000Z'],
        [left, '2026-01-01T15:00:00.000Z'],
      ]);
      await db.up();
      expect(await notificationsTable()).toBe(true);
    } finally {
      await db.close();
    }
  });
});
