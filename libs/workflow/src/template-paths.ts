// What the publish-time checks of http and mcp tools and sources share: where `{{ path }}`
// templates are, and which scope each may read.

export const TEMPLATE = /\{\{\s*([\w.-]+)\s*\}\}/g;
/** A tool's templates read the proposal's arguments, its idempotency key, the run, the trigger. */
export const TOOL_SCOPE = ['args', 'key', 'run', 'trigger'];
/** A context source's templates read the trigger only: no proposal exists yet. */
export const SOURCE_SCOPE = ['trigger'];

export type Report = (path: string, message: string) => void;

/** Every `{{ path }}` in a value, with the path in the file of the text holding it. */
export function templates(value: unknown, at: string): Array<[string, string]> {
  if (typeof value === 'string') return [...value.matchAll(TEMPLATE)].map((m) => [at, m[1]!]);
  if (Array.isArray(value)) return value.flatMap((item, i) => templates(item, `${at}.${i}`));
  if (value && typeof value === 'object')
    return Object.entries(value).flatMap(([key, item]) => templates(item, `${at}.${key}`));
  return [];
}
