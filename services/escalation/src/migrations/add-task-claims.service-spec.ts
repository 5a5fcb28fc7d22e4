import { serviceMigrations } from '@baton/service-kit';
import { migrationUnderTest } from '@baton/testing';
import { describe, expect, it } from 'vitest';
import { escalationService } from '../escalation.service-definition.js';
import { AddTaskClaims1796446800000 } from './1796446800000-add-task-claims.migration.js';

describe(AddTaskClaims1796446800000.name, () => {
  it('adds the claim columns (nobody holds the tasks already there), holder and end together, and is reversible', async () => {
    const db = await migrationUnderTest(
      'esc-migration-claims',
      serviceMigrations(escalationService),
      AddTaskClaims1796446800000,
    );
    try {
      expect(await db.columns('tasks', 'claimed_%')).toBe(4);
      await db.down();
      expect(await db.columns('tasks', 'claimed_%')).toBe(0);
      await db.dataSource.query(
        `INSERT INTO tasks (id, source_envelope_id, run_id, workflow_id, workflow_version, tenant_id,
                            queue, status, reason, state, envelope, created_at, sla_due_at)
         VALUES ('019b7a5e-0000-7000-8000-000000000001', gen_random_uuid(), gen_random_uuid(),
                 'billing-dispute', 1, 'acme', 'billing', 'open', 'why', '{}', '{}', now(), now())`,
      );
      await db.up();
      expect(await db.columns('tasks', 'claimed_%')).toBe(4);
      expect(await db.dataSource.query('SELECT claimed_by, claimed_until FROM tasks')).toEqual([
        { claimed_by: null, claimed_until: null },
      ]);
      await expect(db.dataSource.query(`UPDATE tasks SET claimed_by = 'rita'`)).rejects.toThrow(
        /tasks_claim_check/,
      );
    } finally {
      await db.close();
    }
  });
});
