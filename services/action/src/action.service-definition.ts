import {
  CreateEndedRuns1796430000000,
  OutboundConfig,
  outboundProviders,
  type ServiceDefinition,
} from '@baton/service-kit';
import { ActionConfig } from './config/action.config.js';
import { ActionModule } from './action.module.js';
import { CreateToolCalls1764072000300 } from './migrations/1764072000300-create-tool-calls.migration.js';
import { CreateEffectLedger1796400000000 } from '@baton/effects';
import { McpConfig, mcpProviders } from '@baton/mcp';

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
  settings: [ActionConfig, OutboundConfig, McpConfig],
  providers: (context) => [
    ...outboundProviders(context.env, context.settings),
    ...mcpProviders(context, 'action'),
  ],
};
