import { serviceMigrations } from '@baton/service-kit';
import { migrationUnderTest } from '@baton/testing';
import { describe, expect, it } from 'vitest';
import { escalationService } from '../escalation.service-definition.js';
import { CreateTasks1764158400000 } from './1764158400000-create-tasks.migration.js';

describe(CreateTasks1764158400000.name, () => {
  it('creates the tasks table and is reversible', async () => {
    const db = await migrationUnderTest(
      'esc-migration',
      serviceMigrations(escalationService),
      CreateTasks1764158400000,
    );
    try {
      expect(await db.hasTable('tasks')).toBe(true);
      await db.down();
      expect(await db.hasTable('tasks')).toBe(false);
      await db.up();
      expect(await db.hasTable('tasks')).toBe(true);
    } finally {
      await db.close();
    }
  });
});
