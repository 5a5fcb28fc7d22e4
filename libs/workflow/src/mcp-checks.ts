import { SOURCE_SCOPE, TOOL_SCOPE, templates, type Report } from './template-paths.js';

/**
 * The checks of an mcp tool or source that need no deployment: it names a server and one of
 * its tools, and its `arguments` template reads only what the scope has. Whether the server is
 * declared (BATON_MCP_SERVERS) is the deployment's to say, at publish time; whether the
 * arguments fit the tool's input schema, the server's, at every call.
 */
export function mcpProblems(
  at: string,
  entry: Record<string, unknown>,
  as: 'tool' | 'source',
  report: Report,
): void {
  if (typeof entry['server'] !== 'string')
    report(`${at}.server`, `an mcp ${as} names a server of the deployment`);
  if (typeof entry['tool'] !== 'string')
    report(`${at}.tool`, `an mcp ${as} names the server's tool`);
  const scope = as === 'tool' ? TOOL_SCOPE : SOURCE_SCOPE;
  for (const [place, path] of templates(entry['arguments'], `${at}.arguments`)) {
    const head = path.split('.')[0]!;
    if (head === 'secret')
      report(place, "a server's credentials belong in its declaration (BATON_MCP_SERVERS)");
    else if (!scope.includes(head))
      report(place, `"${path}" is outside the scope: paths start with ${scope.join(', ')}`);
  }
}

/** The `args.*` names an mcp tool's `arguments` template reads: what a proposal gives it. */
export function mcpArgumentNames(entry: { arguments?: unknown }): string[] {
  return templates(entry.arguments, '')
    .map(([, path]) => path.split('.'))
    .filter(([head, name]) => head === 'args' && name)
    .map(([, name]) => name!);
}
