import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { parseApiKeys, sha256, type Principal } from '@baton/service-kit';

/**
 * The signed-in key lives in this cookie: HttpOnly, so no script on the page (nor an injected
 * one) can read it; SameSite=Strict, so another site cannot make the browser send it; no
 * Max-Age, so it ends with the browser session. The console keeps nothing itself: any replica
 * serves any request, and a restart signs nobody out.
 */
export const SESSION_COOKIE = 'baton_console_key';

/** Non-GET calls carry it; a form or an image on another site cannot set a header. */
export const CONSOLE_HEADER = 'x-baton-console';

/** Hosts a browser may reach over plain http and still be the only one to see the cookie. */
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * The cookie's attributes for this request. Secure (sent over https only) unless the console
 * is opened on this machine over http, as `npm start` serves it; elsewhere it must be served
 * over https (a TLS proxy in front), since a browser never returns a Secure cookie over http.
 */
function attributes(request: IncomingMessage): string {
  const host = (request.headers.host ?? '').replace(/:\d+$/, '');
  const secure = LOOPBACK.has(host) ? '' : '; Secure';
  return `Path=/; HttpOnly; SameSite=Strict${secure}`;
}

export function sessionCookie(request: IncomingMessage, key: string): string {
  return `${SESSION_COOKIE}=${encodeURIComponent(key)}; ${attributes(request)}`;
}

export function endedSessionCookie(request: IncomingMessage): string {
  return `${SESSION_COOKIE}=; ${attributes(request)}; Max-Age=0`;
}

/** The key the request's cookie holds, if any. */
export function keyOf(request: IncomingMessage): string | undefined {
  for (const pair of (request.headers.cookie ?? '').split(';')) {
    const at = pair.indexOf('=');
    if (at > 0 && pair.slice(0, at).trim() === SESSION_COOKIE) {
      try {
        return decodeURIComponent(pair.slice(at + 1).trim()) || undefined;
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/**
 * Who a key belongs to, from BATON_API_KEYS as the services read it (hashes only). The console
 * uses it to show what the role may do; the services decide, each on every forwarded call.
 */
export class KeyDirectory {
  private readonly entries: ReturnType<typeof parseApiKeys>;

  constructor(entries: string[]) {
    this.entries = parseApiKeys(entries, 'console');
  }

  whoIs(key: string): Principal | undefined {
    const presented = sha256(key);
    const entry = this.entries.find((candidate) => timingSafeEqual(candidate.hash, presented));
    return entry && { name: entry.name, role: entry.role };
  }
}
