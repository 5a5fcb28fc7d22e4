import { mcpArgumentNames, type ToolGrantSpec } from '@baton/workflow';

/** A granted mcp tool as its server lists it. */
export interface ListedMcpTool {
  name: string;
  description: string;
  inputSchema: Record<string, unknown>;
}

/** The listings of a workflow's mcp grants, by grant name; a grant its server did not list is absent. */
export type McpListings = ReadonlyMap<string, ListedMcpTool>;

// The server's text goes into the system prompt: bounded, whatever the server sends.
const MAX_DESCRIPTION = 1000;
const MAX_SCHEMA = 4000;

const clip = (text: string, max: number) =>
  text.length > max ? `${text.slice(0, max - 1)}…` : text;

/**
 * What the model reads about an mcp grant beside its name and description: the server's own
 * description of the tool and, when the proposal's args are the tool's input (no `arguments`
 * template), its input schema.
 */
export function mcpToolNote(grant: ToolGrantSpec, listed: ListedMcpTool | undefined): string {
  if (grant.kind !== 'mcp') return '';
  const at = `${grant.tool ?? ''} of MCP server ${grant.server ?? ''}`;
  if (!listed) return ` Runs ${at} (its server could not list it just now).`;
  const text = clip(listed.description.trim(), MAX_DESCRIPTION).replace(/\.$/, '');
  const description = text ? `: ${text}` : '';
  const schema = grant.arguments
    ? ''
    : ` Its args are the tool's input, this JSON Schema: ${clip(JSON.stringify(listed.inputSchema), MAX_SCHEMA)}`;
  return ` Runs ${at}${description}.${schema}`;
}

/**
 * The argument names a proposal of an mcp grant may carry: those its `arguments` template
 * reads, or (without one) the top-level properties of the tool's input schema.
 */
export function mcpProposalArgs(grant: ToolGrantSpec, listed: ListedMcpTool | undefined): string[] {
  if (grant.kind !== 'mcp') return [];
  if (grant.arguments) return mcpArgumentNames(grant);
  const properties = listed?.inputSchema['properties'];
  return properties && typeof properties === 'object' ? Object.keys(properties) : [];
}
