// A small help-desk HTTP API for tests of HTTP tools: it honours Idempotency-Key (a repeated key
// gets the first answer again, and writes nothing) and counts requests per key, so a test can
// tell "called twice, written once" from "written twice". Real HTTP on loopback.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** An answer the help desk stored: one per idempotency key. */
export interface StoredAnswer {
  id: string;
  idempotencyKey: string;
  body: Record<string, unknown>;
}

interface Reply {
  status: number;
  body: unknown;
}

/**
 * Routes:
 * - `POST /api/answers` (JSON): needs `Authorization: Bearer <token>` and `Idempotency-Key`;
 *   201 `{ id, status: 'sent', employeeId, articleId }` the first time, the same again for the
 *   same key (with `Idempotent-Replayed: true`);
 * - `GET /api/echo-auth`: the Authorization header it got, in the body (an upstream that echoes
 *   what it was sent);
 * - `GET /api/status/<code>`: answers that status;
 * - `GET /api/moved`: a redirect to the same path on `redirectHost` (another host name of this
 *   server), `GET /api/final`: where it leads.
 */
export class HelpdeskTestServer {
  readonly answers: StoredAnswer[] = [];
  /** Every request as `METHOD /path`, in order. */
  readonly requests: string[] = [];
  private readonly perKey = new Map<string, number>();
  private readonly replies = new Map<string, Reply>();
  private held: Array<() => void> | undefined;
  private server: Server | undefined;
  url = '';
  port = 0;

  constructor(private readonly token: string) {}

  static async start(token: string): Promise<HelpdeskTestServer> {
    const helpdesk = new HelpdeskTestServer(token);
    helpdesk.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => helpdesk.handle(request, Buffer.concat(chunks), response));
    });
    await new Promise<void>((resolve) => helpdesk.server!.listen(0, '127.0.0.1', resolve));
    helpdesk.port = (helpdesk.server.address() as AddressInfo).port;
    helpdesk.url = `http://127.0.0.1:${helpdesk.port}`;
    return helpdesk;
  }

  /** Requests made under an idempotency key (first and repeated). */
  requestsFor(key: string): number {
    return this.perKey.get(key) ?? 0;
  }

  /** Answers stored under a key: 1 however often it was sent, if the caller kept the key. */
  answersFor(key: string): StoredAnswer[] {
    return this.answers.filter((answer) => answer.idempotencyKey === key);
  }

  /**
   * From now on, an answer is written and counted as usual but its reply is held back until
   * `release`: a caller is left waiting between the write and the reply (to be killed there).
   */
  hold(): void {
    this.held ??= [];
  }

  /** Sends the replies held back and stops holding. */
  release(): void {
    const held = this.held ?? [];
    this.held = undefined;
    for (const send of held) send();
  }

  async close(): Promise<void> {
    this.release();
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }

  private handle(request: IncomingMessage, raw: Buffer, response: ServerResponse): void {
    const path = request.url ?? '';
    this.requests.push(`${request.method} ${path}`);
    const send = (reply: Reply, headers: Record<string, string> = {}) => {
      const deliver = () => {
        if (response.destroyed) return;
        response.writeHead(reply.status, { 'content-type': 'application/json', ...headers });
        response.end(JSON.stringify(reply.body));
      };
      if (this.held) this.held.push(deliver);
      else deliver();
    };
    if (path === '/api/echo-auth')
      return send({ status: 200, body: { got: request.headers.authorization ?? null } });
    const status = /^\/api\/status\/(\d{3})$/.exec(path);
    if (status) return send({ status: Number(status[1]), body: { error: 'as asked' } });
    if (path === '/api/moved') {
      response.writeHead(302, { location: `http://localhost:${this.port}/api/final` }).end();
      return;
    }
    if (path === '/api/final') return send({ status: 200, body: { reached: true } });
    if (path !== '/api/answers' || request.method !== 'POST')
      return send({ status: 404, body: { error: 'no such route' } });
    if (request.headers.authorization !== `Bearer ${this.token}`)
      return send({ status: 401, body: { error: 'unauthorized' } });
    const key = request.headers['idempotency-key'];
    if (typeof key !== 'string' || !key)
      return send({ status: 400, body: { error: 'Idempotency-Key is required' } });
    this.perKey.set(key, this.requestsFor(key) + 1);
    const first = this.replies.get(key);
    if (first) return send(first, { 'idempotent-replayed': 'true' });
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
    } catch {
      return send({ status: 400, body: { error: 'not JSON' } });
    }
    const answer = { id: `ans_${this.answers.length + 1}`, idempotencyKey: key, body };
    this.answers.push(answer);
    const reply = {
      status: 201,
      body: {
        id: answer.id,
        status: 'sent',
        employeeId: body['employeeId'] ?? null,
        articleId: body['articleId'] ?? null,
      },
    };
    this.replies.set(key, reply);
    send(reply);
  }
}
