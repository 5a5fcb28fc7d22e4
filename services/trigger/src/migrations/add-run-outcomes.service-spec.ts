import { serviceMigrations } from '@baton/service-kit';
import { migrationUnderTest } from '@baton/testing';
import { describe, expect, it } from 'vitest';
import { triggerService } from '../trigger.service-definition.js';
import { AddRunOutcomes1796600000000 } from './1796600000000-add-run-outcomes.migration.js';

describe(AddRunOutcomes1796600000000.name, () => {
  it('adds the outcome columns, null for the runs already there, and is reversible', async () => {
    const db = await migrationUnderTest(
      'trg-migration-outcomes',
      serviceMigrations(triggerService),
      AddRunOutcomes1796600000000,
    );
    const columns = ['escalation_reason', 'review_outcome', 'review_proposed', 'review_edited'];
    const count = async () => {
      let sum = 0;
      for (const column of columns) sum += await db.columns('runs', column);
      return sum;
    };
    try {
      expect(await count()).toBe(4);
      await db.down();
      expect(await count()).toBe(0);
      // A run from before the columns.
      await db.dataSource.query(
        `INSERT INTO runs (id, tenant_id, idempotency_key, workflow_id, workflow_version, event_type, status, trigger)
         VALUES (gen_random_uuid(), 'acme', 'k-1', 'billing-dispute', 1, 'support.ticket.created', 'completed', '{}')`,
      );
      await db.up();
      expect(await count()).toBe(4);
      expect(
        await db.dataSource.query(
          'SELECT escalation_reason, review_outcome, review_proposed, review_edited FROM runs',
        ),
      ).toEqual([
        {
          escalation_reason: null,
          review_outcome: null,
          review_proposed: null,
          review_edited: null,
        },
      ]);
    } finally {
      await db.close();
    }
  });
});
