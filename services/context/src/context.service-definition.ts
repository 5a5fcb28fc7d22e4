import { ConfigError, loadConfig } from '@baton/config';
import { CreateEndedRuns1796430000000, type ServiceDefinition } from '@baton/service-kit';
import type { Logger } from '@baton/telemetry';
import { BusinessDatabase } from '@baton/business';
import { ContextConfig } from './context.config.js';
import { ContextModule } from './context.module.js';

function loadOrExit<T extends object>(cls: new () => T, env: NodeJS.ProcessEnv, logger: Logger) {
  try {
    return loadConfig(cls, env, 'context');
  } catch (error) {
    // Same contract as the kit's own settings: name every bad variable, exit 78.
    if (!(error instanceof ConfigError)) throw error;
    logger.fatal({ problems: error.problems }, error.message);
    return process.exit(78);
  }
}

export const contextService: ServiceDefinition = {
  name: 'context',
  version: '0.1.0',
  defaultPort: 3001,
  module: ContextModule,
  // The context service keeps no tables of its own: the kit adds the inbox and outbox.
  migrations: [CreateEndedRuns1796430000000],
  businessDatabase: true,
  providers: ({ env, logger, connections }) => {
    const config = loadOrExit(ContextConfig, env, logger);
    const database = BusinessDatabase.open({
      url: config.businessDatabaseUrl || String(env['DATABASE_URL']),
      poolSize: connections.business,
      logger,
      applicationName: 'baton-context-business',
    });
    return [
      { provide: ContextConfig, useValue: config },
      { provide: BusinessDatabase, useValue: database },
    ];
  },
};
