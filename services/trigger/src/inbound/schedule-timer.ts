import { Inject, Injectable } from '@nestjs/common';
import { LOGGER } from '@baton/service-kit';
import type { Logger } from '@baton/telemetry';
import { IntervalWorker } from '@baton/service-kit';
import { ScheduleConfig } from '../config/schedule.config.js';
import {
  FireSchedulesUseCase,
  SCHEDULE_EVENT_TYPE,
} from '../use-cases/fire-schedules/fire-schedules.use-case.js';

/**
 * Runs fire-schedules every `BATON_SCHEDULE_TICK_MS` from the start of the service, one run at
 * a time, when some workflow is scheduled (the lifecycle is IntervalWorker's).
 */
@Injectable()
export class ScheduleTimer extends IntervalWorker {
  constructor(
    private readonly fireSchedules: FireSchedulesUseCase,
    @Inject(ScheduleConfig) config: Pick<ScheduleConfig, 'tickMs'>,
    @Inject(LOGGER) logger: Logger,
  ) {
    super({ intervalMs: config.tickMs, failureMessage: 'firing schedules failed' }, logger);
  }

  protected override shouldStart(): boolean {
    for (const workflow of this.fireSchedules.notAcceptingTicks())
      this.logger.warn(
        { workflowId: workflow.id, schedule: workflow.trigger.schedule },
        `workflow has a schedule but does not list "${SCHEDULE_EVENT_TYPE}" in trigger.eventTypes: it is not fired`,
      );
    const scheduled = this.fireSchedules.scheduled();
    if (scheduled.length === 0) return false;
    this.logger.info(
      { schedules: scheduled.map((w) => `${w.id}@${w.version}: ${w.trigger.schedule}`) },
      'scheduler started (cron in UTC)',
    );
    return true;
  }

  protected work(): Promise<unknown> {
    return this.fireSchedules.execute();
  }
}
