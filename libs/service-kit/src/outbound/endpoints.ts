import type { EndpointLookup } from '@baton/workflow';

const NAME = /^[a-z][a-z0-9-]{0,62}$/;

export type ParsedEndpoints =
  { ok: true; endpoints: ReadonlyMap<string, string> } | { ok: false; problems: string[] };

/**
 * Reads `BATON_ENDPOINTS`: `name=base URL` items (`helpdesk=https://helpdesk.acme.example`),
 * each an absolute http(s) URL with no user name, password, query or fragment; a trailing slash
 * is dropped. Problems name the item and what is wrong with it.
 */
export function parseEndpoints(items: readonly string[]): ParsedEndpoints {
  const endpoints = new Map<string, string>();
  const problems: string[] = [];
  for (const item of items.map((entry) => entry.trim()).filter(Boolean)) {
    const at = item.indexOf('=');
    const name = at > 0 ? item.slice(0, at).trim() : '';
    const value = at > 0 ? item.slice(at + 1).trim() : '';
    if (!NAME.test(name)) {
      problems.push(
        `"${at > 0 ? name : item}": an endpoint is name=URL, its name lowercase letters, digits and dashes`,
      );
      continue;
    }
    const problem = baseUrlProblem(value);
    if (problem) problems.push(`${name}: ${problem}`);
    else if (endpoints.has(name)) problems.push(`${name}: named twice`);
    else endpoints.set(name, value.replace(/\/+$/, ''));
  }
  return problems.length ? { ok: false, problems } : { ok: true, endpoints };
}

function baseUrlProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'the base URL is an absolute http or https URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return 'the base URL is an absolute http or https URL';
  if (url.username || url.password)
    return 'the base URL carries no user name or password: a credential is a secret, in a header';
  if (url.search || url.hash) return 'the base URL has no query or fragment';
  return undefined;
}

/** A lookup over parsed endpoints, for rendering a request or checking a definition. */
export const endpointLookup =
  (endpoints: ReadonlyMap<string, string>): EndpointLookup =>
  (name) =>
    endpoints.get(name);
