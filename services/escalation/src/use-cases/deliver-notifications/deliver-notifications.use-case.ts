import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { CLOCK, DATA_SOURCE, LOGGER, type Clock } from '@baton/service-kit';
import type { Logger } from '@baton/telemetry';
import { deliverWebhook } from '../../clients/webhook-delivery.js';
import { EscalationConfig } from '../../config/escalation.config.js';
import { webhookHost, webhookRefusal, type NotificationRow } from '../../domain/notification.js';
import { NotificationStore } from '../../store/notification-store.js';

const BATCH_SIZE = 50;
/** Webhooks sent at once by one instance. */
const PARALLEL = 8;
const RETRY_DELAY_MS = 500;

/**
 * Sends the webhooks the escalation chain recorded (`task_notifications`), outside any
 * transaction on the tasks: a slow or failing receiver holds no lock and no move up. Each
 * notification is leased to one instance for as long as all its attempts can take; one whose
 * lease ran out (its instance stopped) is sent again, so a receiver may see a notification
 * twice (the same `notificationId`). The outcome is recorded: delivered, failed (with the last
 * answer or error) or refused (a host BATON_NOTIFY_ALLOWED_HOSTS does not allow: not sent).
 */
@Injectable()
export class DeliverNotificationsUseCase {
  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    private readonly config: EscalationConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly notifications: NotificationStore,
  ) {}

  /** Delivers what is due now, a batch at a time, until nothing is left; resolves when done. */
  async execute(): Promise<NotificationRow[]> {
    const sent: NotificationRow[] = [];
    for (;;) {
      const now = this.clock.now();
      const leased = await this.notifications.lease(
        this.dataSource.manager,
        now,
        new Date(now.getTime() + this.leaseMs()),
        BATCH_SIZE,
      );
      for (let i = 0; i < leased.length; i += PARALLEL) {
        await Promise.all(leased.slice(i, i + PARALLEL).map((row) => this.deliver(row)));
      }
      sent.push(...leased);
      if (leased.length < BATCH_SIZE) return sent;
    }
  }

  private async deliver(row: NotificationRow): Promise<void> {
    const log = { notificationId: row.id, taskId: row.task_id, host: webhookHost(row.url) };
    const refusal = webhookRefusal(row.url, this.config.notifyAllowedHosts);
    if (refusal) {
      this.logger.warn({ ...log, refusal }, 'escalation webhook not sent');
      await this.notifications.finish(
        this.dataSource.manager,
        row.id,
        { status: 'refused', error: `not sent: ${refusal}` },
        this.clock.now(),
      );
      return;
    }
    const outcome = await deliverWebhook(row.url, row.body, {
      timeoutMs: this.config.notifyTimeoutMs,
      attempts: this.config.notifyAttempts,
      retryDelayMs: RETRY_DELAY_MS,
      headers: { 'user-agent': 'baton-escalation', 'x-baton-notification-id': row.id },
    });
    if (outcome.status === 'failed')
      this.logger.warn({ ...log, ...outcome }, 'escalation webhook failed');
    await this.notifications.finish(this.dataSource.manager, row.id, outcome, this.clock.now());
  }

  /** Longer than every attempt and pause of one delivery can take, with a minute to spare. */
  private leaseMs(): number {
    const { notifyAttempts: attempts, notifyTimeoutMs: timeout } = this.config;
    return attempts * timeout + RETRY_DELAY_MS * 2 ** attempts + 60_000;
  }
}
