import type { Provider } from '@nestjs/common';
import { ConfigError, loadConfig } from '@baton/config';
import { API_KEYS, ApiKeysConfig, parseApiKeys, type ServiceDefinition } from '@baton/service-kit';
import { CLOCK, systemClock, type Clock } from '@baton/service-kit';
import { CreateRuns1764072000000 } from './migrations/1764072000000-create-runs.migration.js';
import { CreateScheduleTicks1795606280000 } from './migrations/1795606280000-create-schedule-ticks.migration.js';
import { AddRunDeadlineSweep1796090000000 } from './migrations/1796090000000-add-run-deadline-sweep.migration.js';
import { AddRunEventDigest1796379600000 } from './migrations/1796379600000-add-run-event-digest.migration.js';
import { AddRunDedupKey1796410000000 } from './migrations/1796410000000-add-run-dedup-key.migration.js';
import { AddScheduleFirstSeen1796500000000 } from './migrations/1796500000000-add-schedule-first-seen.migration.js';
import { RUN_SWEEP_CONFIG, RunSweepConfig } from './run-sweep.config.js';
import { SCHEDULE_CONFIG, ScheduleConfig } from './schedule.config.js';
import { TriggerModule } from './trigger.module.js';

const NAME = 'trigger';

/**
 * Reads the service's own settings; a bad value names its variable, like the kit's settings.
 * `clock` is the time source of the scheduler and the run deadline sweeper (tests pass one they control).
 */
export function loadSettings(env: NodeJS.ProcessEnv, clock: Clock = systemClock): Provider[] {
  const schedule = loadConfig(ScheduleConfig, env, NAME);
  if (schedule.tenant.length < 1 || schedule.tenant.length > 100)
    throw new ConfigError(NAME, ['BATON_SCHEDULE_TENANT: must be 1 to 100 characters']);
  return [
    {
      provide: API_KEYS,
      useValue: parseApiKeys(loadConfig(ApiKeysConfig, env, NAME).entries, NAME),
    },
    { provide: SCHEDULE_CONFIG, useValue: schedule },
    { provide: RUN_SWEEP_CONFIG, useValue: loadConfig(RunSweepConfig, env, NAME) },
    { provide: CLOCK, useValue: clock },
  ];
}

export const triggerService: ServiceDefinition = {
  name: NAME,
  version: '0.1.0',
  defaultPort: 3000,
  module: TriggerModule,
  migrations: [
    CreateRuns1764072000000,
    CreateScheduleTicks1795606280000,
    AddRunDeadlineSweep1796090000000,
    AddRunEventDigest1796379600000,
    AddRunDedupKey1796410000000,
    AddScheduleFirstSeen1796500000000,
  ],
  // A ConfigError here stops the process naming each variable, like the kit's own settings.
  providers: ({ env }) => loadSettings(env),
};
