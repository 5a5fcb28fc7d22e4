import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { toNotificationSummary } from '../domain/notification.js';
import { toDetail, type TaskDetail, type TaskRow } from '../domain/task.js';
import { NotificationStore } from '../store/notification-store.js';

/**
 * The task as `GET /v1/tasks/:id` answers it, with the notifications its chain sent: what
 * get-task answers, and what claim, release, approve and reject answer after their change.
 */
@Injectable()
export class TaskDetails {
  constructor(private readonly notifications: NotificationStore) {}

  async of(manager: EntityManager, row: TaskRow, now: Date): Promise<TaskDetail> {
    const notifications = await this.notifications.ofTask(manager, row.id);
    return toDetail(row, now, notifications.map(toNotificationSummary));
  }
}
