import { Setting } from '@baton/config';

/** Settings of the trigger service's scheduler (workflows with `trigger.schedule`). */
export class ScheduleConfig {
  @Setting({
    env: 'BATON_SCHEDULE_TICK_MS',
    type: 'int',
    default: 15_000,
    min: 1_000,
    max: 3_600_000,
    description:
      'How often the trigger service looks for due `trigger.schedule` ticks (cron, UTC) and starts their runs, milliseconds; a tick fires once across all trigger instances.',
  })
  tickMs!: number;

  @Setting({
    env: 'BATON_SCHEDULE_CATCH_UP_MINUTES',
    type: 'int',
    default: 60,
    min: 1,
    max: 10_080,
    description:
      'How far back, in minutes, the scheduler fires ticks it missed (the service was down or behind); older ticks are skipped and reported, so a long outage does not start a run for every missed tick.',
  })
  catchUpMinutes!: number;

  @Setting({
    env: 'BATON_SCHEDULE_MAX_CATCH_UP',
    type: 'int',
    default: 3,
    min: 1,
    max: 1_000,
    description:
      "The most ticks of one workflow's schedule the scheduler fires at once (the most recent ones) when it catches up after downtime; the older due ticks are skipped, logged as a warning and recorded in `schedule_ticks` (`skipped`). A new schedule never fires ticks from before it was first seen.",
  })
  maxCatchUp!: number;

  @Setting({
    env: 'BATON_SCHEDULE_TENANT',
    type: 'string',
    default: 'default',
    description: 'The tenant scheduled runs belong to (`tenantId` of their trigger event).',
  })
  tenant!: string;
}
