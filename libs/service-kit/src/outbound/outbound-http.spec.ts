import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OutboundError, OutboundHttp } from './outbound-http.js';
import type { OutboundConfig } from './outbound.config.js';

// A real HTTP server on loopback: `localhost` and `127.0.0.1` are two hosts to the allow-list.
describe(OutboundHttp.name, () => {
  let server: Server;
  let port = 0;
  const hits: string[] = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      hits.push(`${request.method} ${request.url}`);
      const url = request.url ?? '';
      if (url === '/same') return void response.writeHead(302, { location: '/final' }).end();
      if (url === '/elsewhere')
        return void response.writeHead(302, { location: `http://localhost:${port}/final` }).end();
      if (url === '/loop') return void response.writeHead(307, { location: '/loop' }).end();
      if (url === '/huge') {
        response.writeHead(200, { 'content-type': 'application/json' });
        // No content-length: the limit is enforced while reading.
        for (let i = 0; i < 10; i += 1) response.write('x'.repeat(1_000));
        return void response.end();
      }
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ method: request.method, url }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  const http = (config: Partial<OutboundConfig> = {}) =>
    new OutboundHttp({
      allowedHosts: ['127.0.0.1'],
      maxResponseBytes: 4_096,
      maxRedirects: 3,
      endpoints: [],
      secretsDir: '',
      ...config,
    });
  const get = (path: string, config?: Partial<OutboundConfig>) =>
    http(config).send(
      {
        method: 'POST',
        url: `http://127.0.0.1:${port}${path}`,
        headers: {},
        body: '{}',
        secretValues: [],
      },
      5_000,
    );
  const failure = (work: Promise<unknown>) =>
    work.then(
      () => undefined,
      (error: unknown) => error as OutboundError,
    );

  it('follows a redirect on the same host (a 302 of a POST becomes a GET)', async () => {
    const answer = await get('/same');
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.text)).toEqual({ method: 'GET', url: '/final' });
  });

  it('never follows a redirect to another host, and never calls it', async () => {
    hits.length = 0;
    const error = await failure(get('/elsewhere'));
    expect(error).toBeInstanceOf(OutboundError);
    expect(error).toMatchObject({ code: 'redirect', retryable: false });
    expect(error?.message).toBe(
      `127.0.0.1 redirected to localhost:${port}: redirects are followed only on the same host`,
    );
    expect(hits).toEqual(['POST /elsewhere']);
  });

  it('stops after BATON_OUTBOUND_MAX_REDIRECTS redirects', async () => {
    hits.length = 0;
    const error = await failure(get('/loop', { maxRedirects: 2 }));
    expect(error).toMatchObject({ code: 'redirect', retryable: false });
    expect(hits).toHaveLength(3);
  });

  it('sends nothing to a host outside the allow-list', async () => {
    hits.length = 0;
    const error = await failure(get('/final', { allowedHosts: ['helpdesk.acme.example'] }));
    expect(error).toMatchObject({
      code: 'refused',
      retryable: false,
      message: 'not sent: host 127.0.0.1 is not in BATON_OUTBOUND_ALLOWED_HOSTS',
    });
    expect(hits).toEqual([]);
  });

  it('sends nothing, for good, when a header value cannot be carried by HTTP', async () => {
    hits.length = 0;
    const error = await failure(
      http().send(
        {
          method: 'GET',
          url: `http://127.0.0.1:${port}/final`,
          headers: { 'x-subject': 'Überweisung 😀' },
          secretValues: [],
        },
        5_000,
      ),
    );
    expect(error).toMatchObject({
      code: 'invalid',
      retryable: false,
      message: 'not sent: a header value is not valid in HTTP (x-subject)',
    });
    expect(hits).toEqual([]);
  });

  it('stops reading an answer past the size limit', async () => {
    const error = await failure(get('/huge'));
    expect(error).toMatchObject({ code: 'too-large', retryable: false });
    expect(error?.message).toBe(
      'the answer of 127.0.0.1 is larger than 4096 bytes (BATON_OUTBOUND_MAX_RESPONSE_BYTES)',
    );
  });

  it('says a host that does not answer is worth another attempt, naming no path', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const error = await failure(
      http().send(
        {
          method: 'GET',
          url: `http://127.0.0.1:${closedPort}/customers/cus_1001`,
          headers: {},
          secretValues: [],
        },
        5_000,
      ),
    );
    expect(error).toMatchObject({
      code: 'unreachable',
      retryable: true,
      message: '127.0.0.1 did not answer: ECONNREFUSED',
    });
  });
});
