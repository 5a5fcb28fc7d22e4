import type { EntityManager } from 'typeorm';
import { toNotificationSummary } from '../notifications/notification.js';
import { notificationsOf } from '../notifications/notification-store.js';
import { toDetail, type TaskDetail, type TaskRow } from './task.js';

/** The task as `GET /v1/tasks/:id` answers it, with the notifications its chain sent. */
export async function detailOf(
  manager: EntityManager,
  row: TaskRow,
  now: Date,
): Promise<TaskDetail> {
  const notifications = await notificationsOf(manager, row.id);
  return toDetail(row, now, notifications.map(toNotificationSummary));
}
