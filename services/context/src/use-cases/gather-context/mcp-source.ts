import type { McpServers } from '@baton/mcp';
import { renderMcpArguments, type ContextSourceSpec, type Scope } from '@baton/workflow';
import type { SourceResult } from '../../domain/evidence.js';

/** Whether an answer holds anything: a field that is not null, empty text or an empty list. */
const holdsSomething = (output: Record<string, unknown>) =>
  Object.values(output).some(
    (value) => value !== null && value !== '' && !(Array.isArray(value) && value.length === 0),
  );

/**
 * `kind: mcp` as a context source: one call of the server's tool, with the source's
 * `arguments` over the trigger, within the source's `timeoutMs`. Its answer is the evidence;
 * an answer of empty lists (`{ entities: [], relations: [] }`) found nothing. A source whose
 * arguments lack a value of the run is not asked. What the call throws (an McpToolError) the
 * source runner judges: unavailable is retried, anything else is a failed source.
 */
export async function askMcpSource(
  servers: McpServers,
  source: ContextSourceSpec,
  scope: Scope,
): Promise<SourceResult> {
  const { args, missing } = renderMcpArguments(source.arguments ?? {}, scope);
  if (missing.length)
    return {
      ok: false,
      reason: `was not asked: ${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} missing`,
    };
  const output = await servers.call(source.server ?? '', source.tool ?? '', args, {
    timeoutMs: source.timeoutMs,
  });
  return { ok: true, content: output, found: holdsSomething(output), detail: 'empty answer' };
}
