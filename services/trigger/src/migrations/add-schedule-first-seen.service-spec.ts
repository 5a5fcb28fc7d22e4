import { serviceMigrations } from '@baton/service-kit';
import { migrationUnderTest } from '@baton/testing';
import { describe, expect, it } from 'vitest';
import { triggerService } from '../trigger.service-definition.js';
import { AddScheduleFirstSeen1796500000000 } from './1796500000000-add-schedule-first-seen.migration.js';

describe(AddScheduleFirstSeen1796500000000.name, () => {
  it('counts the schedules that already fired from their first tick, and is reversible', async () => {
    const db = await migrationUnderTest(
      'trg-migration-first-seen',
      serviceMigrations(triggerService),
      AddScheduleFirstSeen1796500000000,
    );
    try {
      expect(await db.hasTable('schedule_versions')).toBe(true);
      await db.down();
      expect(await db.hasTable('schedule_versions')).toBe(false);
      // Ticks fired before the migration: two versions of one workflow.
      await db.dataSource.query(
        `INSERT INTO schedule_ticks (workflow_id, tick, workflow_version) VALUES
           ('briefing', '2026-11-23T08:00:00Z', 1),
           ('briefing', '2026-11-30T08:00:00Z', 1),
           ('briefing', '2026-12-07T08:00:00Z', 2)`,
      );
      await db.up();
      expect(
        await db.dataSource.query(
          `SELECT workflow_id, workflow_version, schedule, first_seen FROM schedule_versions
            ORDER BY workflow_version`,
        ),
      ).toEqual([
        {
          workflow_id: 'briefing',
          workflow_version: 1,
          schedule: null,
          first_seen: new Date('2026-11-23T08:00:00Z'),
        },
        {
          workflow_id: 'briefing',
          workflow_version: 2,
          schedule: null,
          first_seen: new Date('2026-12-07T08:00:00Z'),
        },
      ]);

      // Down again with a skip row: it stays, and says in `refused` what it stands for.
      await db.dataSource.query(
        `INSERT INTO schedule_ticks (workflow_id, tick, workflow_version, skipped, skipped_from)
         VALUES ('briefing', '2026-12-28T08:00:00Z', 2, 2, '2026-12-21T08:00:00Z')`,
      );
      await db.down();
      const [row] = (await db.dataSource.query(
        `SELECT refused FROM schedule_ticks WHERE tick = '2026-12-28T08:00:00Z'`,
      )) as Array<{ refused: string }>;
      expect(row!.refused).toMatch(/^skipped: 2 ticks from 2026-12-21/);
      await db.up();
      expect(await db.hasTable('schedule_versions')).toBe(true);
    } finally {
      await db.close();
    }
  });
});
