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
