/**
 * JSON with object keys sorted at every level and no whitespace; `undefined` members left
 * out: one text per value, whatever its key order. Digests (trigger events, workflow
 * definitions) and "is this the same call" comparisons use it.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    // JSON has no undefined, NaN or Infinity: they become null, as JSON.stringify makes them in lists.
    const text = JSON.stringify(value);
    return text === undefined ? 'null' : text;
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, member]) => member !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([key, member]) => `${JSON.stringify(key)}:${canonicalJson(member)}`).join(',')}}`;
}
