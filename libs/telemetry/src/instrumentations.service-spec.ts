import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import {
  InMemorySpanExporter,
  SimpleSpanProcessor,
  TracerProvider,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace';
import { expectEventually, testDatabaseUrl } from '@baton/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tracingInstrumentations } from './instrumentations.js';

// Loaded through `require` after the instrumentations are registered, as a service's TypeORM
// loads its driver and Nest's HTTP server sits on the patched module.
const require = createRequire(import.meta.url);

describe('HTTP server and Postgres spans (real Postgres)', () => {
  const spans = new InMemorySpanExporter();
  const provider = new TracerProvider({
    spanProcessors: [new SimpleSpanProcessor({ exporter: spans })],
  });
  let unregister: () => void;
  const secret = 'Jane Roe, card 4242';
  const text = (span: ReadableSpan) => JSON.stringify([span.name, span.attributes, span.events]);

  beforeAll(() => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    trace.setGlobalTracerProvider(provider);
    unregister = registerInstrumentations({ instrumentations: tracingInstrumentations() });
  });
  afterAll(async () => {
    unregister();
    trace.disable();
    context.disable();
    await provider.shutdown();
  });

  it('records a statement with its placeholders and never its parameter values', async () => {
    const pg = require('pg') as typeof import('pg');
    const client = new pg.Client({ connectionString: testDatabaseUrl() });
    await client.connect();
    try {
      // Outside a traced operation: no span (the outbox relay's polls).
      await client.query('SELECT 1 AS untraced');
      await trace.getTracer('test').startActiveSpan('handler', async (span) => {
        await client.query('SELECT $1::text AS customer', [secret]);
        span.end();
      });
    } finally {
      await client.end();
    }
    const queries = spans
      .getFinishedSpans()
      .filter(
        (span) =>
          span.attributes['db.system.name'] === 'postgresql' ||
          span.attributes['db.system'] === 'postgresql',
      );
    expect(queries).toHaveLength(1);
    const [query] = queries;
    expect(JSON.stringify(query!.attributes)).toContain('SELECT $1::text AS customer');
    expect(text(query!)).not.toContain('Jane Roe');
  });

  it('records an HTTP server span without the query string, and none for /metrics', async () => {
    spans.reset();
    const http = require('node:http') as typeof import('node:http');
    const server = http.createServer((_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      await fetch(`http://127.0.0.1:${port}/metrics`);
      await fetch(
        `http://127.0.0.1:${port}/v1/runs?tenant=acme&customer=${encodeURIComponent(secret)}`,
      );
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    const served = await expectEventually(() => {
      const found = spans.getFinishedSpans().filter((span) => span.kind === 1); // SERVER
      expect(found).toHaveLength(1);
      return found;
    });
    expect(served[0]!.attributes).toMatchObject({
      'http.request.method': 'GET',
      'url.path': '/v1/runs',
    });
    expect(served[0]!.attributes['url.query']).toBeUndefined();
    expect(text(served[0]!)).not.toContain('acme');
    expect(text(served[0]!)).not.toContain('Jane');
  });
});
