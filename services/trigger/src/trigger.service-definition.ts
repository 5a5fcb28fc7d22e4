import type { Provider } from '@nestjs/common';
import { ConfigError } from '@baton/config';
import { McpConfig, mcpProviders, type McpProviderContext } from '@baton/mcp';
import {
  API_KEYS,
  ApiKeysConfig,
  OutboundConfig,
  outboundProviders,
  parseApiKeys,
  type ServiceDefinition,
  type SettingsOf,
} from '@baton/service-kit';
import { CreateRuns1764072000000 } from './migrations/1764072000000-create-runs.migration.js';
import { CreateScheduleTicks1795606280000 } from './migrations/1795606280000-create-schedule-ticks.migration.js';
import { AddRunDeadlineSweep1796090000000 } from './migrations/1796090000000-add-run-deadline-sweep.migration.js';
import { AddRunEventDigest1796379600000 } from './migrations/1796379600000-add-run-event-digest.migration.js';
import { AddRunDedupKey1796410000000 } from './migrations/1796410000000-add-run-dedup-key.migration.js';
import { AddScheduleFirstSeen1796500000000 } from './migrations/1796500000000-add-schedule-first-seen.migration.js';
import { AddRunOutcomes1796600000000 } from './migrations/1796600000000-add-run-outcomes.migration.js';
import { AddRunTraceId1796700000000 } from './migrations/1796700000000-add-run-trace-id.migration.js';
import { AddBacktests1796800000000 } from './migrations/1796800000000-add-backtests.migration.js';
import { AddCaseResults1796900000000 } from './migrations/1796900000000-add-case-results.migration.js';
import { AddDeadLetters1796950000000 } from './migrations/1796950000000-add-dead-letters.migration.js';
import { BacktestConfig } from './config/backtest.config.js';
import { RunSweepConfig } from './config/run-sweep.config.js';
import { ScheduleConfig } from './config/schedule.config.js';
import { TriggerModule } from './trigger.module.js';

const NAME = 'trigger';

/**
 * The trigger service's own providers: its API keys (a bad entry is a ConfigError naming it)
 * and the rule its settings classes cannot say (the schedule tenant's length). Tests give the
 * scheduler and the run deadline sweeper a clock of their own (testing/clock.fixture.ts).
 */
function triggerProviders(
  env: NodeJS.ProcessEnv,
  settings: SettingsOf,
  context: McpProviderContext,
): Provider[] {
  const schedule = settings(ScheduleConfig);
  if (schedule.tenant.length < 1 || schedule.tenant.length > 100)
    throw new ConfigError(NAME, ['BATON_SCHEDULE_TENANT: must be 1 to 100 characters']);
  return [
    { provide: API_KEYS, useValue: parseApiKeys(settings(ApiKeysConfig).entries, NAME) },
    // What a definition asks of the deployment (hosts, secrets, MCP servers) is checked at
    // publish time. The trigger service only reads the MCP servers' names: it never connects.
    ...outboundProviders(env, settings),
    ...mcpProviders(context, NAME),
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
    AddRunOutcomes1796600000000,
    AddRunTraceId1796700000000,
    AddBacktests1796800000000,
    AddCaseResults1796900000000,
    AddDeadLetters1796950000000,
  ],
  settings: [
    ScheduleConfig,
    RunSweepConfig,
    BacktestConfig,
    ApiKeysConfig,
    OutboundConfig,
    McpConfig,
  ],
  providers: (context) => triggerProviders(context.env, context.settings, context),
};
