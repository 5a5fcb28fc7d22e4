import { Setting } from '@baton/config';

/** Settings of the trigger service's run deadline sweeper (runs that can no longer end by themselves). */
export class RunSweepConfig {
  @Setting({
    env: 'BATON_RUN_SWEEP_MS',
    type: 'int',
    default: 60_000,
    min: 1_000,
    max: 3_600_000,
    description:
      'How often the trigger service looks for `running` runs past their deadline (`limits.deadlineMinutes` plus the grace) and ends them `failed`, milliseconds; a run is ended once across all trigger instances.',
  })
  sweepMs!: number;

  @Setting({
    env: 'BATON_RUN_DEADLINE_GRACE_MINUTES',
    type: 'int',
    default: 5,
    min: 0,
    max: 10_080,
    description:
      "Minutes a `running` run may go past its workflow's `limits.deadlineMinutes` (time spent waiting for a reviewer not counted) before the sweeper ends it `failed`: room for a step under way to finish and for the decision service to stop the run itself.",
  })
  graceMinutes!: number;
}
