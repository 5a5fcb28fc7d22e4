import { ENDPOINT, isSecretPath } from './http-request.js';
import { SOURCE_SCOPE, TEMPLATE, TOOL_SCOPE, templates, type Report } from './template-paths.js';

/**
 * The checks of an http tool or source that need no deployment: a fixed http(s) origin (so
 * its host can be checked against the allow-list at publish time), secrets only in headers,
 * template paths the scope has, a GET for reads and not for writes. Whether the host is
 * allowed and the secrets exist is the deployment's to say (deploymentProblems).
 */
export function httpProblems(
  at: string,
  entry: Record<string, unknown>,
  as: 'tool' | 'source',
  report: Report,
): void {
  const url = entry['url'];
  if (typeof url !== 'string' || !url) {
    report(`${at}.url`, `an http ${as} has a url`);
  } else {
    const problem = urlProblem(url);
    if (problem) report(`${at}.url`, problem);
    for (const [, path] of url.matchAll(TEMPLATE)) {
      if (isSecretPath(path!))
        report(`${at}.url`, 'a secret goes in a header, never in the URL (URLs are logged)');
    }
  }
  const scope = as === 'tool' ? TOOL_SCOPE : SOURCE_SCOPE;
  const paths = (value: unknown, where: string, secrets: boolean) => {
    for (const [place, path] of templates(value, where)) {
      if (isSecretPath(path)) {
        if (!secrets) report(place, 'a secret goes in a header, never in the body');
        continue;
      }
      const head = path.split('.')[0]!;
      if (!scope.includes(head))
        report(place, `"${path}" is outside the scope: paths start with ${scope.join(', ')}`);
    }
  };
  if (typeof url === 'string')
    paths(url.replace(ENDPOINT, '').replace(/\{\{\s*secret\.[^}]*\}\}/g, ''), `${at}.url`, true);
  const headers = entry['headers'];
  if (headers && typeof headers === 'object') {
    paths(headers, `${at}.headers`, true);
    for (const name of Object.keys(headers))
      if (name.toLowerCase() === 'idempotency-key')
        report(`${at}.headers.${name}`, 'Baton sends the Idempotency-Key of a write itself');
  }
  if (as === 'source') return;
  paths(entry['body'], `${at}.body`, false);
  const method = entry['method'];
  if (method === undefined) report(`${at}.method`, 'an http tool has a method');
  if (entry['access'] === 'read' && method !== undefined && method !== 'GET')
    report(`${at}.method`, 'a read tool changes nothing: its method is GET');
  if (entry['access'] === 'write' && method === 'GET')
    report(`${at}.method`, 'a write tool changes something: POST, PUT, PATCH or DELETE');
  if (method === 'GET' && entry['body'] !== undefined)
    report(`${at}.body`, 'a GET request has no body');
}

/** Why an http URL template cannot be used, or undefined when it can. */
function urlProblem(url: string): string | undefined {
  // `{{ endpoint.<name> }}` first: the deployment's base URL (checked when it is published).
  if (ENDPOINT.test(url)) {
    const rest = url.replace(ENDPOINT, '');
    if (rest && !rest.startsWith('/') && !rest.startsWith('?'))
      return 'after {{ endpoint.<name> }} comes the path (/…) or the query (?…)';
    if (/\{\{\s*endpoint\./.test(rest)) return 'a URL starts with one endpoint, only at its start';
    return undefined;
  }
  if (/\{\{\s*endpoint\./.test(url))
    return 'an endpoint ({{ endpoint.<name> }}) only starts a URL, for its scheme and host';
  // Only the path and the query may hold templates: the origin is fixed, so it can be checked.
  const origin = /^([a-z][a-z0-9+.-]*:\/\/[^/?#]*)/i.exec(url)?.[1];
  if (!origin) return 'an absolute http or https URL';
  if (origin.includes('{{'))
    return 'the scheme and the host are fixed: templates go in the path or the query';
  let parsed: URL;
  try {
    parsed = new URL(url.replace(TEMPLATE, 'x'));
  } catch {
    return 'an absolute http or https URL';
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
    return `an http or https URL, not ${parsed.protocol.slice(0, -1)}`;
  if (parsed.username || parsed.password)
    return 'a URL carries no user name or password: put credentials in a header, as a secret';
  return undefined;
}
