import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Headers on every answer of the console. The page runs only its own script and talks only to
 * its own server (no inline script, no third-party origin: an injected `<script>` or a
 * customer's text rendered by mistake cannot run or send anything elsewhere), is never framed,
 * and leaks no address in a Referer.
 */
const HEADERS: Record<string, string> = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

export function securityHeaders(
  _request: IncomingMessage,
  response: ServerResponse,
  next: () => void,
): void {
  for (const [name, value] of Object.entries(HEADERS)) response.setHeader(name, value);
  next();
}
