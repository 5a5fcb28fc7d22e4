import { loadConfig } from '@baton/config';
import { API_KEYS, ApiKeysConfig, parseApiKeys, type ServiceDefinition } from '@baton/service-kit';
import { CreateRuns1764072000000 } from './migrations/1764072000000-create-runs.migration.js';
import { TriggerModule } from './trigger.module.js';

export const triggerService: ServiceDefinition = {
  name: 'trigger',
  version: '0.1.0',
  defaultPort: 3000,
  module: TriggerModule,
  migrations: [CreateRuns1764072000000],
  providers: ({ env }) => [
    {
      provide: API_KEYS,
      useValue: parseApiKeys(loadConfig(ApiKeysConfig, env, 'trigger').entries, 'trigger'),
    },
  ],
};
