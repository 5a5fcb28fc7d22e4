import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { NotificationOutcome, NotificationRow, WebhookBody } from '../domain/notification.js';

export interface NewNotification {
  id: string;
  taskId: string;
  step: number;
  url: string;
  body: WebhookBody;
  createdAt: Date;
}

/** The `task_notifications` table (unqualified: the service's schema is the search path). */
@Injectable()
export class NotificationStore {
  /** Records a notification to send, in the transaction of the move; one per task and step. */
  async insert(manager: EntityManager, notification: NewNotification): Promise<void> {
    await manager.query(
      `INSERT INTO task_notifications (id, task_id, step, url, body, status, attempts, created_at)
       VALUES ($1, $2, $3, $4, $5, 'pending', 0, $6)
       ON CONFLICT (task_id, step) DO NOTHING`,
      [
        notification.id,
        notification.taskId,
        notification.step,
        notification.url,
        JSON.stringify(notification.body),
        notification.createdAt,
      ],
    );
  }

  /**
   * Takes notifications to deliver, for this instance alone until `leaseUntil`: pending ones,
   * and those whose delivery was left unfinished (a lease that ran out: the instance stopped).
   * One statement: replicas sharing the work each take other rows.
   */
  async lease(
    manager: EntityManager,
    now: Date,
    leaseUntil: Date,
    limit: number,
  ): Promise<NotificationRow[]> {
    return manager.query(
      `WITH leased AS (
         UPDATE task_notifications SET status = 'sending', lease_until = $2
          WHERE id IN (
            SELECT id FROM task_notifications
             WHERE status = 'pending' OR (status = 'sending' AND lease_until <= $1)
             ORDER BY created_at
             LIMIT $3
               FOR UPDATE SKIP LOCKED)
      RETURNING *)
       SELECT * FROM leased ORDER BY created_at`,
      [now, leaseUntil, limit],
    );
  }

  /** Records how a delivery ended (or that it was refused, never sent). */
  async finish(
    manager: EntityManager,
    id: string,
    outcome: NotificationOutcome,
    finishedAt: Date,
  ): Promise<void> {
    const attempts = 'attempts' in outcome ? outcome.attempts : 0;
    const httpStatus = 'httpStatus' in outcome ? outcome.httpStatus : null;
    await manager.query(
      `UPDATE task_notifications
          SET status = $2, attempts = $3, http_status = $4, error = $5, finished_at = $6, lease_until = NULL
        WHERE id = $1`,
      [id, outcome.status, attempts, httpStatus, outcome.error, finishedAt],
    );
  }

  /** A task's notifications, oldest first. */
  async ofTask(manager: EntityManager, taskId: string): Promise<NotificationRow[]> {
    return manager.query(
      'SELECT * FROM task_notifications WHERE task_id = $1 ORDER BY step, created_at',
      [taskId],
    );
  }
}
