import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { TaskMove, TaskRow } from '../domain/task.js';

export interface TaskMoveUpdate {
  queue: string;
  /** Null: no further SLA (a `leave` fallback). */
  slaDueAt: Date | null;
  chainStep: number;
  move: TaskMove;
  /** The move takes the task to other people: a claim on it ends. */
  releaseClaim: boolean;
  at: Date;
}

/** The escalation chain on `tasks` (unqualified: the service's schema is the search path). */
@Injectable()
export class ChainStore {
  /**
   * Open tasks past their SLA whose breach has not been acted on yet, locked for this
   * transaction; replicas share the work (`SKIP LOCKED`). A breach is acted on once: the sweep
   * sets `escalated_at`, which a move puts behind the new SLA (so its breach comes up again)
   * and the other actions leave at or past it (or close the task, or clear its SLA).
   * `skip` holds tasks this sweep already passed over.
   */
  async lockBreached(
    manager: EntityManager,
    now: Date,
    batchSize: number,
    skip: readonly string[],
  ): Promise<TaskRow[]> {
    return manager.query(
      `SELECT * FROM tasks
        WHERE status = 'open' AND sla_due_at <= $1
          AND (escalated_at IS NULL OR escalated_at < sla_due_at)
          AND NOT (id = ANY($3::uuid[]))
        ORDER BY sla_due_at
        LIMIT $2
          FOR UPDATE SKIP LOCKED`,
      [now, batchSize, skip],
    );
  }

  /** Applies a step of the escalation chain to a task this transaction has locked. */
  async move(manager: EntityManager, id: string, update: TaskMoveUpdate): Promise<TaskRow> {
    const rows: TaskRow[] = await manager.query(
      `WITH moved AS (
         UPDATE tasks
            SET queue = $2, sla_due_at = $3, chain_step = $4, moves = moves || $5::jsonb,
                escalated_at = $6,
                claimed_by    = CASE WHEN $7 THEN NULL ELSE claimed_by END,
                claimed_role  = CASE WHEN $7 THEN NULL ELSE claimed_role END,
                claimed_at    = CASE WHEN $7 THEN NULL ELSE claimed_at END,
                claimed_until = CASE WHEN $7 THEN NULL ELSE claimed_until END
          WHERE id = $1
      RETURNING *)
       SELECT * FROM moved`,
      [
        id,
        update.queue,
        update.slaDueAt,
        update.chainStep,
        JSON.stringify([update.move]),
        update.at,
        update.releaseClaim,
      ],
    );
    return rows[0]!;
  }

  /** Marks a locked task's breach as acted on, with nothing else to do: it stays overdue. */
  async markOverdue(manager: EntityManager, id: string, at: Date): Promise<void> {
    await manager.query('UPDATE tasks SET escalated_at = $2 WHERE id = $1', [id, at]);
  }
}
