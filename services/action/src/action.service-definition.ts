import { ConfigError, loadConfig } from '@baton/config';
import { CreateEndedRuns1796430000000, type ServiceDefinition } from '@baton/service-kit';
import type { Logger } from '@baton/telemetry';
import { ActionConfig } from './action.config.js';
import { ActionModule } from './action.module.js';
import { BusinessDatabase } from '@baton/business';
import { CreateToolCalls1764072000300 } from './migrations/1764072000300-create-tool-calls.migration.js';
import { CreateEffectLedger1796400000000 } from '@baton/effects';

function loadOrExit<T extends object>(cls: new () => T, env: NodeJS.ProcessEnv, logger: Logger) {
  try {
    return loadConfig(cls, env, 'action');
  } catch (error) {
    // Same contract as the kit's own settings: name every bad variable, exit 78.
    if (!(error instanceof ConfigError)) throw error;
    logger.fatal({ problems: error.problems }, error.message);
    return process.exit(78);
  }
}

export const actionService: ServiceDefinition = {
  name: 'action',
  version: '0.1.0',
  defaultPort: 3003,
  module: ActionModule,
  migrations: [
    CreateToolCalls1764072000300,
    CreateEffectLedger1796400000000,
    CreateEndedRuns1796430000000,
  ],
  businessDatabase: true,
  providers: ({ env, logger, connections }) => {
    const config = loadOrExit(ActionConfig, env, logger);
    const database = BusinessDatabase.open({
      url: config.businessDatabaseUrl || String(env['DATABASE_URL']),
      poolSize: connections.business,
      logger,
      applicationName: 'baton-action-business',
    });
    return [
      { provide: ActionConfig, useValue: config },
      { provide: BusinessDatabase, useValue: database },
    ];
  },
};
