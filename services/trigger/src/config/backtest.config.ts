import { Setting } from '@baton/config';

/** Settings of backtests (docs/changing-workflows.md): how fast they replay past triggers. */
export class BacktestConfig {
  @Setting({
    env: 'BATON_BACKTEST_MAX_IN_FLIGHT',
    type: 'int',
    default: 2,
    min: 1,
    max: 100,
    description:
      'Backtest runs under way at once, across all backtests and trigger instances: a backtest starts its next run only when one has ended, so it never holds more of the step services (and the model) than this, whatever its size.',
  })
  maxInFlight!: number;

  @Setting({
    env: 'BATON_BACKTEST_TICK_MS',
    type: 'int',
    default: 2_000,
    min: 100,
    max: 600_000,
    description:
      'How often the trigger service starts the next backtest runs (up to BATON_BACKTEST_MAX_IN_FLIGHT under way), milliseconds.',
  })
  tickMs!: number;
}
