import { Inject, Injectable } from '@nestjs/common';
import { LOGGER } from '@baton/service-kit';
import type { Logger } from '@baton/telemetry';
import { IntervalWorker } from '@baton/service-kit';
import { RunSweepConfig } from '../config/run-sweep.config.js';
import { ExpireRunsUseCase } from '../use-cases/expire-runs/expire-runs.use-case.js';

/**
 * Runs expire-runs every `BATON_RUN_SWEEP_MS` from the start of the service, one run at a time
 * (the lifecycle is IntervalWorker's): a run that can no longer end by itself ends `failed`.
 */
@Injectable()
export class RunDeadlineSweeper extends IntervalWorker {
  constructor(
    private readonly expireRuns: ExpireRunsUseCase,
    @Inject(RunSweepConfig) config: Pick<RunSweepConfig, 'sweepMs'>,
    @Inject(LOGGER) logger: Logger,
  ) {
    super({ intervalMs: config.sweepMs, failureMessage: 'sweeping overdue runs failed' }, logger);
  }

  protected work(): Promise<unknown> {
    return this.expireRuns.execute();
  }
}
