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
      'The MCP servers workflows may use, declared once for the deployment: inline JSON, or the path of a JSON or YAML file (mount it as a secret when it holds credentials), mapping a server name to `{ command, args, env, cwd }` (stdio) or `{ url, headers }` (Streamable HTTP), each with an optional `timeoutMs` per call (default 10000). `command: node` is the Node.js running Baton. Empty: no MCP servers (a definition naming one is refused at publish).',
  })
  servers!: string;
}

/** The declared servers, or a ConfigError naming the setting and every problem (never a value). */
export function mcpServersOf(config: McpConfig, service: string): McpServerSpecs {
  const parsed = parseMcpServers(config.servers);
  if (!parsed.ok)
    throw new ConfigError(
      service,
      parsed.problems.map((problem) => `BATON_MCP_SERVERS: ${problem}`),
    );
  return parsed.servers;
}
