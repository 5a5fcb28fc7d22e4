import { Inject, Injectable } from '@nestjs/common';
import { IntervalWorker, LOGGER } from '@baton/service-kit';
import type { Logger } from '@baton/telemetry';
import { BacktestConfig } from '../config/backtest.config.js';
import { RunBacktestsUseCase } from '../use-cases/run-backtests/run-backtests.use-case.js';

/**
 * Every `BATON_BACKTEST_TICK_MS`, starts the next backtest runs the in-flight bound allows
 * (the lifecycle is IntervalWorker's).
 */
@Injectable()
export class BacktestRunner extends IntervalWorker {
  constructor(
    private readonly runBacktests: RunBacktestsUseCase,
    @Inject(BacktestConfig) config: Pick<BacktestConfig, 'tickMs'>,
    @Inject(LOGGER) logger: Logger,
  ) {
    super({ intervalMs: config.tickMs, failureMessage: 'starting backtest runs failed' }, logger);
  }

  protected work(): Promise<unknown> {
    return this.runBacktests.execute();
  }
}
