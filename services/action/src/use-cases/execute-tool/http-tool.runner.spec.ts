import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OutboundHttp, SecretStore } from '@baton/service-kit';
import type { ToolGrantSpec } from '@baton/workflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActionConfig } from '../../config/action.config.js';
import { HttpToolRunner, mapResponse, retryableStatus } from './http-tool.runner.js';
import { ToolCallError, ToolInputError, isTransient } from './tool-error.js';

describe(retryableStatus.name, () => {
  it('by default retries 408, 429 and 5xx, and fails every other status for good', () => {
    for (const status of [408, 429, 500, 502, 503, 504]) expect(retryableStatus(status)).toBe(true);
    for (const status of [400, 401, 403, 404, 409, 410, 422, 301])
      expect(retryableStatus(status)).toBe(false);
  });

  it('follows the tool’s retryOn: statuses and classes', () => {
    expect(retryableStatus(409, [409, '5xx'])).toBe(true);
    expect(retryableStatus(503, [409, '5xx'])).toBe(true);
    expect(retryableStatus(429, [409, '5xx'])).toBe(false);
    expect(retryableStatus(503, [])).toBe(false);
  });

  it('is what isTransient reads from a ToolCallError', () => {
    expect(isTransient(new ToolCallError('HTTP 503 from x', true))).toBe(true);
    expect(isTransient(new ToolCallError('HTTP 422 from x', false))).toBe(false);
  });
});

describe(mapResponse.name, () => {
  const answer = { status: 201, body: { id: 'ans_1', ticket: { state: 'answered' } } };

  it('is the status and the body without a mapping', () => {
    expect(mapResponse(answer, undefined)).toEqual(answer);
  });

  it('takes each mapped field from its path, null when the answer lacks it', () => {
    expect(
      mapResponse(answer, {
        answerId: 'body.id',
        state: 'body.ticket.state',
        missing: 'body.x',
        status: 'status',
      }),
    ).toEqual({ answerId: 'ans_1', state: 'answered', missing: null, status: 201 });
  });
});

// A real HTTP server on loopback that answers with what it received.
describe(HttpToolRunner.name, () => {
  let server: Server;
  let url = '';
  const received: Array<{
    method?: string;
    url?: string;
    headers: IncomingHttpHeaders;
    body: string;
  }> = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      request.on('end', () => {
        received.push({ method: request.method, url: request.url, headers: request.headers, body });
        response.writeHead(request.url === '/gone' ? 410 : 200, {
          'content-type': 'application/json',
        });
        response.end(JSON.stringify({ id: 'n_1' }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  const runner = new HttpToolRunner(
    new OutboundHttp({
      allowedHosts: ['127.0.0.1'],
      maxResponseBytes: 4096,
      maxRedirects: 0,
      endpoints: [],
      secretsDir: '',
    }),
    new SecretStore({ BATON_SECRET_NOTES_TOKEN: 'tok-1' }, ''),
    { toolTimeoutMs: 5000 } as ActionConfig,
  );
  const grant = (extra: Partial<ToolGrantSpec>): ToolGrantSpec =>
    ({
      name: 'post-note',
      access: 'write',
      kind: 'http',
      description: 'x',
      requiredArgs: [],
      method: 'POST',
      url: `${url}/notes/{{ args.ticketId }}`,
      headers: { authorization: 'Bearer {{ secret.notes-token }}' },
      body: { text: '{{ args.text }}', amount: '{{ args.amount }}' },
      ...extra,
    }) as ToolGrantSpec;
  const scope = { args: { ticketId: 'T 1', text: 'hello', amount: 5 }, key: 'run-1:3:post-note' };

  it('sends a write with its idempotency key, its secret header and its JSON body', async () => {
    received.length = 0;
    expect(await runner.run(grant({ response: { noteId: 'body.id' } }), scope)).toEqual({
      noteId: 'n_1',
    });
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({
      method: 'POST',
      url: '/notes/T%201',
      headers: {
        'idempotency-key': 'run-1:3:post-note',
        authorization: 'Bearer tok-1',
        'content-type': 'application/json',
      },
      body: JSON.stringify({ text: 'hello', amount: 5 }),
    });
  });

  it('sends a read without an idempotency key', async () => {
    received.length = 0;
    const read = grant({ access: 'read', method: 'GET', url: `${url}/notes`, body: undefined });
    expect(await runner.run(read, scope)).toEqual({ status: 200, body: { id: 'n_1' } });
    expect(received[0]!.headers['idempotency-key']).toBeUndefined();
  });

  it('sends nothing when a value is missing, and fails a 410 for good', async () => {
    received.length = 0;
    const missing = await runner
      .run(grant({}), { ...scope, args: {} })
      .catch((error: unknown) => error);
    expect(missing).toBeInstanceOf(ToolInputError);
    expect((missing as Error).message).toBe('not sent: args.ticketId is missing');
    expect(received).toEqual([]);
    const gone = await runner
      .run(grant({ url: `${url}/gone` }), scope)
      .catch((error: unknown) => error as ToolCallError);
    expect(gone).toMatchObject({ message: 'HTTP 410 from 127.0.0.1', retryable: false });
  });
});
