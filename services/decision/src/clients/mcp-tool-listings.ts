import type { McpServers } from '@baton/mcp';
import type { Logger } from '@baton/telemetry';
import type { WorkflowDefinition } from '@baton/workflow';
import type { ListedMcpTool, McpListings } from '../domain/mcp-tools.js';

/**
 * The listings of the workflow's mcp grants, for the prompt: from each server's tool list
 * (read when its connection opened, kept with it). A server that cannot list its tools now
 * does not hold the decision up: its grants are described without them, and a call of one
 * fails (or is retried) at the action step like any unavailable tool.
 */
export async function mcpListings(
  servers: McpServers,
  workflow: WorkflowDefinition,
  logger: Logger,
): Promise<McpListings> {
  const grants = workflow.tools.filter((tool) => tool.kind === 'mcp');
  const listed = await Promise.all(
    grants.map(async (grant): Promise<[string, ListedMcpTool] | undefined> => {
      try {
        const tool = (await servers.tools(grant.server ?? '')).find(
          (candidate) => candidate.name === grant.tool,
        );
        if (!tool)
          logger.warn(
            { workflow: workflow.id, server: grant.server, tool: grant.tool },
            'a granted MCP tool is not listed by its server',
          );
        return tool ? [grant.name, tool] : undefined;
      } catch (error) {
        logger.warn(
          {
            workflow: workflow.id,
            server: grant.server,
            error: error instanceof Error ? error.message : String(error),
          },
          "an MCP server's tools could not be listed",
        );
        return undefined;
      }
    }),
  );
  return new Map(listed.filter((entry) => entry !== undefined));
}
