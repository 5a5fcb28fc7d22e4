import {
  CreateEndedRuns1796430000000,
  OutboundConfig,
  outboundProviders,
  type ServiceDefinition,
} from '@baton/service-kit';
import { McpConfig, mcpProviders } from '@baton/mcp';
import { ContextConfig } from './config/context.config.js';
import { ContextModule } from './context.module.js';

export const contextService: ServiceDefinition = {
  name: 'context',
  version: '0.1.0',
  defaultPort: 3001,
  module: ContextModule,
  // The context service keeps no tables of its own: the kit adds the inbox and outbox.
  migrations: [CreateEndedRuns1796430000000],
  businessDatabase: true,
  settings: [ContextConfig, OutboundConfig, McpConfig],
  providers: (context) => [
    ...outboundProviders(context.env, context.settings),
    ...mcpProviders(context, 'context'),
  ],
};
