import { MESSAGING_MIGRATIONS } from '@baton/messaging';
import { openDatabase } from '@baton/persistence';
import { freshSchema } from '@baton/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { CreateRuns1764072000000 } from './1764072000000-create-runs.migration.js';
import { CreateScheduleTicks1795606280000 } from './1795606280000-create-schedule-ticks.migration.js';
import { AddRunDeadlineSweep1796090000000 } from './1796090000000-add-run-deadline-sweep.migration.js';
import { AddRunEventDigest1796379600000 } from './1796379600000-add-run-event-digest.migration.js';

describe(AddRunEventDigest1796379600000.name, () => {
  const schema = freshSchema('trg-migration-digest');
  afterAll(() => schema.drop());

  it('adds event_digest, null for the runs already there, and is reversible', async () => {
    const dataSource = await openDatabase({
      url: schema.url,
      schema: schema.schema,
      migrations: [
        ...MESSAGING_MIGRATIONS,
        CreateRuns1764072000000,
        CreateScheduleTicks1795606280000,
        AddRunDeadlineSweep1796090000000,
        AddRunEventDigest1796379600000,
      ],
    });
    const columns = async () =>
      (
        (await dataSource.query(
          `SELECT column_name FROM information_schema.columns
            WHERE table_schema = $1 AND table_name = 'runs' AND column_name = 'event_digest'`,
          [schema.schema],
        )) as unknown[]
      ).length;
    try {
      expect(await columns()).toBe(1);
      await dataSource.undoLastMigration({ transaction: 'each' });
      expect(await columns()).toBe(0);
      // A run from before the column.
      await dataSource.query(
        `INSERT INTO runs (id, tenant_id, idempotency_key, workflow_id, workflow_version, event_type, status, trigger)
         VALUES (gen_random_uuid(), 'acme', 'k-1', 'billing-dispute', 1, 'support.ticket.created', 'running', '{}')`,
      );
      await dataSource.runMigrations({ transaction: 'each' });
      expect(await columns()).toBe(1);
      expect(await dataSource.query('SELECT event_digest FROM runs')).toEqual([
        { event_digest: null },
      ]);
    } finally {
      await dataSource.destroy();
    }
  });
});
