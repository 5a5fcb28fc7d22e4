import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/**
 * The scheduler's ledger (`schedule_ticks`, `schedule_versions`): which ticks of a workflow's
 * schedule were fired, refused or skipped, and when a version's schedule was first seen.
 * Every statement on them; methods take the transaction's manager.
 */
@Injectable()
export class ScheduleTicks {
  /** Serialises the workflow's schedule across instances until the transaction ends. */
  async lock(manager: EntityManager, workflowId: string): Promise<void> {
    await manager.query(
      `SELECT pg_advisory_xact_lock(hashtextextended(current_schema() || ':baton:schedule:' || $1, 0))`,
      [workflowId],
    );
  }

  /**
   * When the scheduler first saw this version with its schedule: recorded by the first
   * instance to look (at `now`), read by every other.
   */
  async firstSeen(
    manager: EntityManager,
    workflow: { id: string; version: number; schedule: string | undefined },
    now: Date,
  ): Promise<Date> {
    const rows: Array<{ first_seen: Date }> = await manager.query(
      `INSERT INTO schedule_versions (workflow_id, workflow_version, schedule, first_seen)
       VALUES ($1, $2, $3, $4)
       ON CONFLICT (workflow_id, workflow_version)
         DO UPDATE SET schedule = COALESCE(schedule_versions.schedule, EXCLUDED.schedule)
       RETURNING first_seen`,
      [workflow.id, workflow.version, workflow.schedule, now],
    );
    return rows[0]!.first_seen;
  }

  /** The latest tick recorded for the workflow, fired, refused or skipped, whatever its version. */
  async lastTick(manager: EntityManager, workflowId: string): Promise<Date | undefined> {
    const rows: Array<{ last: Date | null }> = await manager.query(
      'SELECT max(tick) AS last FROM schedule_ticks WHERE workflow_id = $1',
      [workflowId],
    );
    return rows[0]?.last ?? undefined;
  }

  /** One row for `count` due ticks not fired (from `from`), at the most recent of them. */
  async recordSkipped(
    manager: EntityManager,
    workflow: { id: string; version: number },
    skipped: { count: number; from: Date; until: Date },
  ): Promise<void> {
    await manager.query(
      `INSERT INTO schedule_ticks (workflow_id, tick, workflow_version, skipped, skipped_from)
       VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
      [workflow.id, skipped.until, workflow.version, skipped.count, skipped.from],
    );
  }

  /** Claims the tick; false when another instance recorded it first. */
  async claim(
    manager: EntityManager,
    workflow: { id: string; version: number },
    tick: Date,
  ): Promise<boolean> {
    const claimed: unknown[] = await manager.query(
      `INSERT INTO schedule_ticks (workflow_id, tick, workflow_version) VALUES ($1, $2, $3)
       ON CONFLICT DO NOTHING RETURNING tick`,
      [workflow.id, tick, workflow.version],
    );
    return claimed.length > 0;
  }

  /** The claimed tick started `runId`. */
  async started(manager: EntityManager, workflowId: string, tick: Date, runId: string) {
    await manager.query(
      'UPDATE schedule_ticks SET run_id = $3 WHERE workflow_id = $1 AND tick = $2',
      [workflowId, tick, runId],
    );
  }

  /** The claimed tick is spent without a run (ignored or refused), with why. */
  async refused(manager: EntityManager, workflowId: string, tick: Date, reason: string) {
    await manager.query(
      'UPDATE schedule_ticks SET refused = $3 WHERE workflow_id = $1 AND tick = $2',
      [workflowId, tick, reason],
    );
  }
}
