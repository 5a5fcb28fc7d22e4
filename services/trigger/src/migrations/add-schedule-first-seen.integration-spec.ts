import { MESSAGING_MIGRATIONS } from '@baton/messaging';
import { openDatabase } from '@baton/persistence';
import { freshSchema } from '@baton/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { CreateRuns1764072000000 } from './1764072000000-create-runs.migration.js';
import { CreateScheduleTicks1795606280000 } from './1795606280000-create-schedule-ticks.migration.js';
import { AddRunDeadlineSweep1796090000000 } from './1796090000000-add-run-deadline-sweep.migration.js';
import { AddRunEventDigest1796379600000 } from './1796379600000-add-run-event-digest.migration.js';
import { AddRunDedupKey1796410000000 } from './1796410000000-add-run-dedup-key.migration.js';
import { AddScheduleFirstSeen1796500000000 } from './1796500000000-add-schedule-first-seen.migration.js';

describe(AddScheduleFirstSeen1796500000000.name, () => {
  const schema = freshSchema('trg-migration-first-seen');
  afterAll(() => schema.drop());

  it('counts the schedules that already fired from their first tick, and is reversible', async () => {
    const dataSource = await openDatabase({
      url: schema.url,
      schema: schema.schema,
      migrations: [
        ...MESSAGING_MIGRATIONS,
        CreateRuns1764072000000,
        CreateScheduleTicks1795606280000,
        AddRunDeadlineSweep1796090000000,
        AddRunEventDigest1796379600000,
        AddRunDedupKey1796410000000,
        AddScheduleFirstSeen1796500000000,
      ],
    });
    const tables = async () =>
      (
        (await dataSource.query(
          `SELECT table_name FROM information_schema.tables
            WHERE table_schema = $1 AND table_name = 'schedule_versions'`,
          [schema.schema],
        )) as unknown[]
      ).length;
    try {
      expect(await tables()).toBe(1);
      await dataSource.undoLastMigration({ transaction: 'each' });
      expect(await tables()).toBe(0);
      // Ticks fired before the migration: two versions of one workflow.
      await dataSource.query(
        `INSERT INTO schedule_ticks (workflow_id, tick, workflow_version) VALUES
           ('briefing', '2026-11-23T08:00:00Z', 1),
           ('briefing', '2026-11-30T08:00:00Z', 1),
           ('briefing', '2026-12-07T08:00:00Z', 2)`,
      );
      await dataSource.runMigrations({ transaction: 'each' });
      expect(
        await dataSource.query(
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
      await dataSource.query(
        `INSERT INTO schedule_ticks (workflow_id, tick, workflow_version, skipped, skipped_from)
         VALUES ('briefing', '2026-12-28T08:00:00Z', 2, 2, '2026-12-21T08:00:00Z')`,
      );
      await dataSource.undoLastMigration({ transaction: 'each' });
      const [row] = (await dataSource.query(
        `SELECT refused FROM schedule_ticks WHERE tick = '2026-12-28T08:00:00Z'`,
      )) as Array<{ refused: string }>;
      expect(row!.refused).toMatch(/^skipped: 2 ticks from 2026-12-21/);
      await dataSource.runMigrations({ transaction: 'each' });
      expect(await tables()).toBe(1);
    } finally {
      await dataSource.destroy();
    }
  });
});
