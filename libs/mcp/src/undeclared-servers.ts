interface UsesServers {
  tools: ReadonlyArray<{ kind: string; server?: string }>;
  context: { sources: ReadonlyArray<{ kind: string; server?: string }> };
}

/**
 * The mcp tools and sources of a definition whose server this deployment does not declare, as
 * problems at their path: checked at publish time, so such a definition never reaches a run.
 */
export function undeclaredMcpServers(
  workflow: UsesServers,
  declared: { has(server: string): boolean; names(): string[] },
): Array<{ path: string; message: string }> {
  const known = declared.names().join(', ') || 'none';
  const check = (at: string, entry: { kind: string; server?: string }) =>
    entry.kind === 'mcp' && entry.server !== undefined && !declared.has(entry.server)
      ? [
          {
            path: `${at}.server`,
            message: `MCP server "${entry.server}" is not declared in this deployment (BATON_MCP_SERVERS declares ${known})`,
          },
        ]
      : [];
  return [
    ...workflow.tools.flatMap((tool, i) => check(`tools.${i}`, tool)),
    ...workflow.context.sources.flatMap((source, i) => check(`context.sources.${i}`, source)),
  ];
}
