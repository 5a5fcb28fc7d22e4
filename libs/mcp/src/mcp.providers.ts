import { fileURLToPath } from 'node:url';
import type { Provider } from '@nestjs/common';
import type { Logger } from '@baton/telemetry';
import { McpConfig, mcpServersOf } from './mcp.config.js';
import { McpServers } from './mcp-servers.js';

/** What a service definition's `providers` hook is given, as far as MCP needs it. */
export interface McpProviderContext {
  env: NodeJS.ProcessEnv;
  settings: <T extends object>(cls: new () => T) => T;
  resources: { add<T>(name: string, resource: T, close: (resource: T) => unknown): T };
  logger: Logger;
}

/**
 * The deployment's MCP servers for a service that uses them (`McpConfig` among its settings):
 * a bad BATON_MCP_SERVERS stops the start naming each problem; the connections, opened on first
 * use, close with the service (stdio servers exit).
 */
export function mcpProviders(context: McpProviderContext, service: string): Provider[] {
  // The workflows folder as the kit reads it: BATON_WORKFLOWS_DIR, else this installation's.
  const workflowsDir =
    context.env['BATON_WORKFLOWS_DIR'] ||
    fileURLToPath(new URL('../../../workflows/', import.meta.url));
  const specs = mcpServersOf(context.settings(McpConfig), service, workflowsDir, context.env);
  const servers = context.resources.add('mcp servers', new McpServers(specs, context.logger), (s) =>
    s.close(),
  );
  return [{ provide: McpServers, useValue: servers }];
}
