import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import {
  All,
  Controller,
  Inject,
  NotFoundException,
  Req,
  Res,
  UnauthorizedException,
} from '@nestjs/common';
import { errorBody } from '@baton/service-kit';
import { keyOf } from '../console-session.js';
import { CONSOLE_UPSTREAMS, type Upstreams } from '../upstreams.js';
import { requireConsoleHeader } from './console-header.js';

/** Answer headers passed back to the page; the rest (cookies, server details) stay behind. */
const ANSWER_HEADERS = ['content-type', 'retry-after'];

/**
 * `/api/trigger/v1/…` and `/api/escalation/v1/…`: the page's calls, forwarded to the service's
 * API with the signed-in key as `Authorization: Bearer`. The console decides nothing about
 * roles: each service checks the key on every call, exactly as for the CLI, so a request the
 * page would not offer (a publisher's approval) is refused by the service all the same.
 */
@Controller('api')
export class ProxyController {
  constructor(@Inject(CONSOLE_UPSTREAMS) private readonly upstreams: Upstreams) {}

  @All(['trigger/*path', 'escalation/*path'])
  async forward(@Req() request: IncomingMessage, @Res() response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://console');
    const [, , service, ...rest] = url.pathname.split('/');
    const path = `/${rest.join('/')}`;
    // The versioned API only: health, metrics and API documents are not the page's business.
    if (!path.startsWith('/v1/'))
      throw new NotFoundException(`Cannot ${request.method} ${url.pathname}`);
    const key = keyOf(request);
    if (!key) throw new UnauthorizedException('not signed in');
    const method = request.method ?? 'GET';
    const hasBody = method !== 'GET' && method !== 'HEAD';
    if (hasBody) requireConsoleHeader(request);
    const base = service === 'trigger' ? this.upstreams.trigger : this.upstreams.escalation;
    let answer: Response;
    try {
      answer = await fetch(`${base}${path}${url.search}`, {
        method,
        headers: {
          authorization: `Bearer ${key}`,
          accept: 'application/json',
          ...(request.headers['content-type']
            ? { 'content-type': request.headers['content-type'] }
            : {}),
        },
        ...(hasBody
          ? { body: Readable.toWeb(request) as ReadableStream<Uint8Array>, duplex: 'half' }
          : {}),
      });
    } catch {
      const body = errorBody(
        502,
        'upstream-unavailable',
        `the ${service} service did not answer; try again in a moment`,
      );
      response.writeHead(502, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
      return;
    }
    const headers: Record<string, string> = {};
    for (const name of ANSWER_HEADERS) {
      const value = answer.headers.get(name);
      if (value) headers[name] = value;
    }
    response.writeHead(answer.status, headers);
    response.end(Buffer.from(await answer.arrayBuffer()));
  }
}
