import { serviceMigrations } from '@baton/service-kit';
import { migrationUnderTest } from '@baton/testing';
import { describe, expect, it } from 'vitest';
import { escalationService } from '../escalation.service-definition.js';
import { AddTaskHighlights1796083200000 } from './1796083200000-add-task-highlights.migration.js';

describe(AddTaskHighlights1796083200000.name, () => {
  it('adds highlights, [] for the tasks already there, and is reversible', async () => {
    const db = await migrationUnderTest(
      'esc-migration-highlights',
      serviceMigrations(escalationService),
      AddTaskHighlights1796083200000,
    );
    try {
      expect(await db.columns('tasks', 'highlights')).toBe(1);
      await db.down();
      expect(await db.columns('tasks', 'highlights')).toBe(0);
      // A task from before the column gets none.
      await db.dataSource.query(
        `INSERT INTO tasks (id, source_envelope_id, run_id, workflow_id, workflow_version, tenant_id,
                            queue, status, reason, state, envelope, created_at, sla_due_at)
         VALUES (gen_random_uuid(), gen_random_uuid(), gen_random_uuid(), 'billing-dispute', 1,
                 'acme', 'billing', 'open', 'why', '{}', '{}', now(), now())`,
      );
      await db.up();
      expect(await db.columns('tasks', 'highlights')).toBe(1);
      expect(await db.dataSource.query('SELECT highlights FROM tasks')).toEqual([
        { highlights: [] },
      ]);
    } finally {
      await db.close();
    }
  });
});
