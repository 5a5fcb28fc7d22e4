import type { IncomingMessage } from 'node:http';
import { ForbiddenException } from '@nestjs/common';
import { CONSOLE_HEADER } from '../console-session.js';

/**
 * A change (sign-in, sign-out, a forwarded POST) must come from the console's own page: it
 * sends this header, which a form or a link on another site cannot, and a script there could
 * only with a CORS preflight the console never grants. SameSite=Strict already keeps the
 * cookie off cross-site requests; this holds even in a browser that ignores SameSite.
 */
export function requireConsoleHeader(request: IncomingMessage): void {
  if (request.headers[CONSOLE_HEADER] !== '1')
    throw new ForbiddenException(
      `changes are accepted from the console's page only (${CONSOLE_HEADER})`,
    );
}
