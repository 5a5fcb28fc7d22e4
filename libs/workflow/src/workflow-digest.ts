import { createHash } from 'node:crypto';

/**
 * JSON with object keys sorted at every level and no whitespace: one text per definition,
 * whether it was written as YAML or JSON and in whatever key order.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    // JSON has no undefined, NaN or Infinity: they become null, as JSON.stringify makes them in lists.
    const text = JSON.stringify(value);
    return text === undefined ? 'null' : text;
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** SHA-256 (hex) of the canonical JSON of a definition: equal digests, equal definitions. */
export function workflowDigest(document: unknown): string {
  return createHash('sha256').update(canonicalJson(document)).digest('hex');
}
