import { CreateEffectLedger1796400000000 } from '@baton/effects';
import { API_KEYS, ApiKeysConfig, parseApiKeys, type ServiceDefinition } from '@baton/service-kit';
import { EscalationConfig } from './config/escalation.config.js';
import { EscalationModule } from './escalation.module.js';
import { CreateTasks1764158400000 } from './migrations/1764158400000-create-tasks.migration.js';
import { CloseTasksOfEndedRuns1795600000000 } from './migrations/1795600000000-close-tasks-of-ended-runs.migration.js';
import { AddTaskHighlights1796083200000 } from './migrations/1796083200000-add-task-highlights.migration.js';
import { AddTaskEscalationChain1796443200000 } from './migrations/1796443200000-add-task-escalation-chain.migration.js';
import { AddTaskClaims1796446800000 } from './migrations/1796446800000-add-task-claims.migration.js';

const NAME = 'escalation';

/** The escalation service: review tasks for escalated runs, decided by people over HTTP. */
export const escalationService: ServiceDefinition = {
  name: NAME,
  version: '0.1.0',
  defaultPort: 3005,
  module: EscalationModule,
  migrations: [
    CreateTasks1764158400000,
    CloseTasksOfEndedRuns1795600000000,
    AddTaskHighlights1796083200000,
    CreateEffectLedger1796400000000,
    AddTaskEscalationChain1796443200000,
    AddTaskClaims1796446800000,
  ],
  // Loaded by the kit with its own settings (every bad variable reported at once), each
  // provided under its class; the clock is the kit's (systemClock).
  settings: [EscalationConfig, ApiKeysConfig],
  // A malformed key entry is a ConfigError, reported like a bad setting.
  providers: ({ settings }) => [
    { provide: API_KEYS, useValue: parseApiKeys(settings(ApiKeysConfig).entries, NAME) },
  ],
};
