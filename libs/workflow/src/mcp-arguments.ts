import { absent } from './bind-params.js';
import { getPath, render, type Scope } from './expression.js';

const TEMPLATE = /\{\{\s*([\w.-]+)\s*\}\}/g;

/**
 * An mcp tool's or source's `arguments` template rendered against the scope, as JSON, and the
 * template paths the run has no value for. A field whose value is missing is left out: a tool's
 * input schema then says whether it was needed; a source is not asked at all.
 */
export function renderMcpArguments(
  template: Record<string, unknown>,
  scope: Scope,
): { args: Record<string, unknown>; missing: string[] } {
  const args = JSON.parse(JSON.stringify(render(template, scope))) as Record<string, unknown>;
  const paths = [...JSON.stringify(template).matchAll(TEMPLATE)].map((match) => match[1]!);
  const missing = [...new Set(paths)].filter((path) => absent(getPath(scope, path)));
  return { args, missing };
}
