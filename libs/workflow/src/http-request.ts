import { absent } from './bind-params.js';
import { getPath, render, type Scope } from './expression.js';

const PART = /\{\{\s*([\w.-]+)\s*\}\}/g;
/** `{{ secret.helpdesk-token }}`: a secret of the deployment, by name (headers only). */
const SECRET = /^secret\.([a-z][a-z0-9-]{0,62})$/;

/**
 * `{{ endpoint.helpdesk }}` at the start of a URL: the base URL of a system, which is the
 * deployment's to say (BATON_ENDPOINTS), not the workflow's. The rest of the URL follows it.
 */
export const ENDPOINT = /^\{\{\s*endpoint\.([a-z][a-z0-9-]{0,62})\s*\}\}/;

/** The endpoint a URL template starts with, or undefined when its origin is written out. */
export function endpointName(url: string | undefined): string | undefined {
  return url ? ENDPOINT.exec(url)?.[1] : undefined;
}

/** Looks an endpoint's base URL up by name; undefined when the deployment does not have it. */
export type EndpointLookup = (name: string) => string | undefined;

/**
 * The URL template with its endpoint (if it starts with one) replaced by the deployment's base
 * URL, without a trailing slash; `missing` when the deployment has no such endpoint.
 */
export function withEndpoint(
  url: string,
  endpoint: EndpointLookup | undefined,
): { url: string; missing?: string } {
  const name = endpointName(url);
  if (!name) return { url };
  const base = endpoint?.(name);
  const rest = url.replace(ENDPOINT, '');
  if (!base) return { url: `http://endpoint.invalid${rest}`, missing: `endpoint ${name}` };
  return { url: base.replace(/\/+$/, '') + rest };
}

/** The HTTP methods a tool may use: GET for a read tool, the others for a write tool. */
export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

/** An HTTP request as a tool or a source declares it, `{{ path }}` templates in place. */
export interface HttpRequestTemplate {
  method: HttpMethod;
  url: string;
  headers?: Record<string, string>;
  body?: unknown;
}

/** A request ready to send, and the secret values it carries (to redact from what comes back). */
export interface RenderedRequest {
  method: HttpMethod;
  url: string;
  headers: Record<string, string>;
  body?: string;
  secretValues: string[];
}

/** Looks a secret up by name; undefined when the deployment does not have it. */
export type SecretLookup = (name: string) => string | undefined;

/**
 * Renders a URL template. Unlike `render`, each value is URL-encoded, so a value from the
 * trigger or the model cannot change the host, the path or add query parameters.
 */
export function renderUrl(
  template: string,
  scope: Scope,
  endpoint?: EndpointLookup,
): { url: string; missing: string[] } {
  const missing: string[] = [];
  // The base is the deployment's, taken as it is; only the run's values are encoded.
  const based = withEndpoint(template, endpoint);
  if (based.missing) missing.push(based.missing);
  const url = based.url.replace(PART, (_, path: string) => {
    const value = getPath(scope, path);
    if (absent(value) || typeof value === 'object') {
      missing.push(path);
      return '';
    }
    return encodeURIComponent(String(value));
  });
  return { url, missing };
}

/** The names of the secrets a header map refers to (`{{ secret.<name> }}`), in order. */
export function secretNames(headers: Record<string, unknown> | undefined): string[] {
  const found = new Set<string>();
  for (const value of Object.values(headers ?? {})) {
    if (typeof value !== 'string') continue;
    for (const [, path] of value.matchAll(PART)) {
      const secret = SECRET.exec(path!);
      if (secret) found.add(secret[1]!);
    }
  }
  return [...found];
}

/** Whether a `{{ path }}` names a secret (`secret.<name>`), rather than a value of the run. */
export const isSecretPath = (path: string) => path.startsWith('secret.');

/**
 * The request to send: the URL with its values encoded, header values with secrets and run
 * values filled in, and the body template rendered as JSON (`"{{ args.amount }}"` alone keeps
 * a number a number). `missing` names every value or secret the run or the deployment lacks:
 * such a request is not sent.
 */
export function renderHttpRequest(
  template: HttpRequestTemplate,
  scope: Scope,
  secret: SecretLookup,
  endpoint?: EndpointLookup,
): { ok: true; request: RenderedRequest } | { ok: false; missing: string[] } {
  const { url, missing } = renderUrl(template.url, scope, endpoint);
  const secretValues: string[] = [];
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(template.headers ?? {})) {
    headers[name] = value.replace(PART, (_, path: string) => {
      const named = SECRET.exec(path);
      const found = named ? secret(named[1]!) : getPath(scope, path);
      if (absent(found) || typeof found === 'object') {
        missing.push(named ? `secret ${named[1]}` : path);
        return '';
      }
      if (named) secretValues.push(String(found));
      // A header value is one line: a value from the run cannot add a header of its own.
      return String(found).replace(/[\r\n]+/g, ' ');
    });
  }
  if (missing.length) return { ok: false, missing };
  const body =
    template.body === undefined ? undefined : JSON.stringify(render(template.body, scope));
  return {
    ok: true,
    request: {
      method: template.method,
      url,
      headers,
      ...(body !== undefined ? { body } : {}),
      secretValues,
    },
  };
}
