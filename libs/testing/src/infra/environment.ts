import { fileURLToPath } from 'node:url';

/** The repository root, from this file's location. */
export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

/** Postgres the tests use: `DATABASE_URL`, else the local server with trust auth. */
export function testDatabaseUrl(): string {
  return process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
}

/** The record signing key of the tests' services, when BATON_SIGNING_KEY does not name one. */
export const TEST_SIGNING_KEY = 'baton-tests-record-signing-key-0123456789';

/** BATON_SIGNING_KEY for the services under test (the global setup puts it in the environment). */
export function testSigningKey(): string {
  return process.env['BATON_SIGNING_KEY'] || TEST_SIGNING_KEY;
}

/** Kafka bootstrap servers: `KAFKA_BROKERS` (the global setup sets it when it starts a broker). */
export function testKafkaBrokers(): string[] {
  const brokers = process.env['KAFKA_BROKERS'];
  if (!brokers)
    throw new Error('KAFKA_BROKERS is not set: run integration tests through `npm test`');
  return brokers.split(',').map((b) => b.trim());
}

/** A TCP port free on loopback right now (for a server a test is about to start). */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/**
 * A free port in 20000–29999, outside Linux's ephemeral range (32768–60999), for a server that
 * is stopped and started again (a broker, a killed service): while it is down, a port the OS
 * hands out can be taken by an outgoing connection, and the server could not listen again.
 */
export async function stablePort(taken: ReadonlySet<number> = new Set()): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 10_000);
    if (taken.has(port)) continue;
    if (await isFreePort(port)) return port;
  }
}

/**
 * The first of `count` consecutive free ports in 20000–29999 (for embedded Baton's
 * BATON_PORT_BASE, which listens on base, base + 1, …). Outside the ephemeral range, so an
 * outgoing connection cannot take one of them between this check and the listen.
 */
export async function stablePortRange(count: number): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * (10_000 - count));
    const free = await Promise.all(Array.from({ length: count }, (_, i) => isFreePort(base + i)));
    if (free.every(Boolean)) return base;
  }
  throw new Error(`no ${count} consecutive free ports found in 20000–29999`);
}

async function isFreePort(port: number): Promise<boolean> {
  const { createServer } = await import('node:net');
  return new Promise<boolean>((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
