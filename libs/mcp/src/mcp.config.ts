import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, Setting } from '@baton/config';
import { parseMcpServers, type McpServerSpecs } from './mcp-server-spec.js';

/**
 * The deployment's MCP servers, read by every service that touches MCP tools: trigger (a
 * definition naming an undeclared server is refused at publish), context (MCP sources),
 * decision (the granted tools' descriptions and input schemas in the prompt) and action
 * (the calls). All of them must be given the same value.
 */
export class McpConfig {
  @Setting({
    env: 'BATON_MCP_SERVERS',
    type: 'string',
    default: '',
    secret: true,
    description:
      'The MCP servers workflows may use, declared once for the deployment: inline JSON, or the path of a JSON or YAML file (mount it as a secret when it holds credentials), mapping a server name to `{ command, args, env, cwd }` (stdio) or `{ url, headers }` (Streamable HTTP), each with an optional `timeoutMs` per call (default 10000) and `maxConcurrentCalls` (calls at once, for a server that cannot take more; default: no bound); a relative `cwd` is relative to the file; an `env` value may read a variable of the environment Baton runs in, `${NAME}` or `${NAME:-fallback}`. `command: node` is the Node.js running Baton. Empty: the `mcp-servers.yaml` (or `.json`) of the workflows folder (`BATON_WORKFLOWS_DIR`) when it has one, else no MCP servers (a definition naming one is refused at publish).',
  })
  servers!: string;
}

/** The declaration files a workflows folder may hold, in order of preference. */
export const MCP_SERVERS_FILES = ['mcp-servers.yaml', 'mcp-servers.json'] as const;

/**
 * The declared servers, or a ConfigError naming the setting and every problem (never a value).
 * Without the setting, the workflows folder's own declaration: the servers its definitions
 * were written for, shipped with them.
 */
export function mcpServersOf(
  config: McpConfig,
  service: string,
  workflowsDir: string,
  environment: NodeJS.ProcessEnv = process.env,
): McpServerSpecs {
  const bundled = MCP_SERVERS_FILES.map((file) => join(workflowsDir, file)).find((path) =>
    existsSync(path),
  );
  const parsed = parseMcpServers(
    config.servers.trim() || bundled || '',
    process.cwd(),
    environment,
  );
  if (!parsed.ok)
    throw new ConfigError(
      service,
      parsed.problems.map((problem) => `BATON_MCP_SERVERS: ${problem}`),
    );
  return parsed.servers;
}
