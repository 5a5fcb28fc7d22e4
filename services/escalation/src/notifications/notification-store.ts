import type { EntityManager } from 'typeorm';
import type { NotificationRow, NotificationStatus, WebhookBody } from './notification.js';
import type { DeliveryOutcome } from './webhook-delivery.js';

/** SQL over `task_notifications` (unqualified: the service's schema is the search path). */

export interface NewNotification {
  id: string;
  taskId: string;
  step: number;
  url: string;
  body: WebhookBody;
  createdAt: Date;
}

/** Records a notification to send, in the transaction of the move; one per task and step. */
export async function insertNotification(
  manager: EntityManager,
  notification: NewNotification,
): Promise<void> {
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
export async function leaseNotifications(
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
export async function finishNotification(
  manager: EntityManager,
  id: string,
  outcome: DeliveryOutcome | { status: Extract<NotificationStatus, 'refused'>; error: string },
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
export async function notificationsOf(
  manager: EntityManager,
  taskId: string,
): Promise<NotificationRow[]> {
  return manager.query(
    'SELECT * FROM task_notifications WHERE task_id = $1 ORDER BY step, created_at',
    [taskId],
  );
}
