import { serviceMigrations } from '@baton/service-kit';
import { migrationUnderTest } from '@baton/testing';
import { describe, expect, it } from 'vitest';
import { triggerService } from '../trigger.service-definition.js';
import { AddRunEventDigest1796379600000 } from './1796379600000-add-run-event-digest.migration.js';

describe(AddRunEventDigest1796379600000.name, () => {
  it('adds event_digest, null for the runs already there, and is reversible', async () => {
    const db = await migrationUnderTest(
      'trg-migration-digest',
      serviceMigrations(triggerService),
      AddRunEventDigest1796379600000,
    );
    try {
      expect(await db.columns('runs', 'event_digest')).toBe(1);
      await db.down();
      expect(await db.columns('runs', 'event_digest')).toBe(0);
      // A run from before the column.
      await db.dataSource.query(
        `INSERT INTO runs (id, tenant_id, idempotency_key, workflow_id, workflow_version, event_type, status, trigger)
         VALUES (gen_random_uuid(), 'acme', 'k-1', 'billing-dispute', 1, 'support.ticket.created', 'running', '{}')`,
      );
      await db.up();
      expect(await db.columns('runs', 'event_digest')).toBe(1);
      expect(await db.dataSource.query('SELECT event_digest FROM runs')).toEqual([
        { event_digest: null },
      ]);
    } finally {
      await db.close();
    }
  });
});
