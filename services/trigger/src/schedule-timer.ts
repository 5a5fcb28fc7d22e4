import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { LOGGER } from '@baton/service-kit';
import type { Logger } from '@baton/telemetry';
import { SCHEDULE_CONFIG, type ScheduleConfig } from './schedule.config.js';
import {
  FireSchedulesUseCase,
  SCHEDULE_EVENT_TYPE,
} from './use-cases/fire-schedules/fire-schedules.use-case.js';

/**
 * Runs fire-schedules every `BATON_SCHEDULE_TICK_MS` from the start of the service, one run at
 * a time. It stops before the kit closes the database and the broker: the timer is cleared
 * and a run under way finishes in `beforeApplicationShutdown`, which Nest calls before any
 * `onApplicationShutdown` (where the kit closes them); `onApplicationShutdown` only makes sure.
 */
@Injectable()
export class ScheduleTimer
  implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown
{
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly fireSchedules: FireSchedulesUseCase,
    @Inject(SCHEDULE_CONFIG) private readonly config: Pick<ScheduleConfig, 'tickMs'>,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    for (const workflow of this.fireSchedules.notAcceptingTicks())
      this.logger.warn(
        { workflowId: workflow.id, schedule: workflow.trigger.schedule },
        `workflow has a schedule but does not list "${SCHEDULE_EVENT_TYPE}" in trigger.eventTypes: it is not fired`,
      );
    const scheduled = this.fireSchedules.scheduled();
    if (scheduled.length === 0) return;
    this.logger.info(
      { schedules: scheduled.map((w) => `${w.id}@${w.version}: ${w.trigger.schedule}`) },
      'scheduler started (cron in UTC)',
    );
    this.timer = setInterval(() => void this.tick(), this.config.tickMs);
    this.timer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.beforeApplicationShutdown();
  }

  /** Fires what is due, unless the previous run is still going; failures are logged, not thrown. */
  tick(): Promise<void> {
    if (this.running) return this.running;
    this.running = this.fireSchedules
      .execute()
      .then(() => undefined)
      .catch((error: unknown) => this.logger.error({ err: error }, 'firing schedules failed'))
      .finally(() => (this.running = undefined));
    return this.running;
  }

  /** Whether the timer is running (for tests). */
  get started(): boolean {
    return this.timer !== undefined;
  }
}
