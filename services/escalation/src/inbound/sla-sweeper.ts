import { Inject, Injectable } from '@nestjs/common';
import { IntervalWorker, LOGGER } from '@baton/service-kit';
import type { Logger } from '@baton/telemetry';
import { EscalationConfig } from '../config/escalation.config.js';
import { EscalateOverdueTasksUseCase } from '../use-cases/escalate-overdue-tasks/escalate-overdue-tasks.use-case.js';

/**
 * Runs the SLA sweep every `BATON_SLA_SWEEP_INTERVAL_MS`, one sweep at a time (the lifecycle is
 * IntervalWorker's).
 */
@Injectable()
export class SlaSweeper extends IntervalWorker {
  constructor(
    private readonly sweep: EscalateOverdueTasksUseCase,
    config: EscalationConfig,
    @Inject(LOGGER) logger: Logger,
  ) {
    super({ intervalMs: config.slaSweepIntervalMs, failureMessage: 'SLA sweep failed' }, logger);
  }

  protected work(): Promise<unknown> {
    return this.sweep.execute();
  }
}
