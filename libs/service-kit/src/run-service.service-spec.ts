import { Module } from '@nestjs/common';
import { ConfigError, Setting } from '@baton/config';
import { InProcessTransport } from '@baton/messaging';
import {
  dropSchema,
  expectEventually,
  freePort,
  freshSchemaName,
  testDatabaseUrl,
} from '@baton/testing';
import { Client } from 'pg';
import { createServer, type Server } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runService, type ServiceDefinition } from './run-service.js';
import { StartFailure } from './start-failure.js';

@Module({})
class NothingModule {}

class PickyConfig {
  @Setting({ env: 'PICKY_LIMIT', type: 'int', default: 5, min: 1, description: 'test only' })
  limit!: number;
}

const telemetry = { exporting: false, flush: async () => {}, shutdown: async () => {} };

/** Connections the service opened (its pools name themselves `baton-<name>`), still open. */
async function openConnections(client: Client, applicationName: string): Promise<number> {
  const { rows } = await client.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name LIKE $1',
    [`${applicationName}%`],
  );
  return rows[0]!.n;
}

describe('runService: a start that fails half way', () => {
  const schemaPrefix = `${freshSchemaName('rs')}_`;
  const client = new Client({ connectionString: testDatabaseUrl() });
  let name: string;
  let taken: Server;
  let takenPort: number;
  let counter = 0;

  const environment = (extra: Record<string, string> = {}) => ({
    DATABASE_URL: testDatabaseUrl(),
    BATON_SCHEMA_PREFIX: schemaPrefix,
    BATON_TOPIC_PREFIX: `${schemaPrefix}.`,
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    ...extra,
  });
  const definition = (overrides: Partial<ServiceDefinition> = {}): ServiceDefinition => ({
    name,
    version: '0.0.0',
    defaultPort: 0,
    module: NothingModule,
    migrations: [],
    ...overrides,
  });
  const start = (def: ServiceDefinition, env: Record<string, string>) => {
    const transport = new InProcessTransport();
    return runService(def, env, { transport, telemetry }).finally(() => transport.close());
  };

  beforeAll(async () => {
    await client.connect();
    taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    takenPort = (taken.address() as { port: number }).port;
  });
  afterEach(() => dropSchema(`${schemaPrefix}${name}`));
  afterAll(async () => {
    await client.end();
    await new Promise((resolve) => taken.close(resolve));
  });
  // A name per test: the pools' application_name tells its connections from the others'.
  const next = () => (name = `rs${process.pid}x${++counter}`);

  it("reports every bad setting at once, the kit's and the service's, before opening anything", async () => {
    next();
    const failure = await start(
      definition({ settings: [PickyConfig] }),
      environment({ PICKY_LIMIT: '0', BATON_HTTP_BODY_LIMIT: 'lots' }),
    ).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(StartFailure);
    expect((failure as StartFailure).exitCode).toBe(78);
    const problems = (failure as StartFailure).details['problems'] as string[];
    expect(problems.some((p) => p.startsWith('PICKY_LIMIT'))).toBe(true);
    expect(problems.some((p) => p.startsWith('BATON_HTTP_BODY_LIMIT'))).toBe(true);
    expect(await openConnections(client, `baton-${name}`)).toBe(0);
  });

  it("closes what the service's providers opened and the database when a provider fails", async () => {
    next();
    const closed: string[] = [];
    const failure = await start(
      definition({
        settings: [PickyConfig],
        providers: ({ resources, settings }) => {
          expect(settings(PickyConfig).limit).toBe(5);
          resources.add('client', 'a client', () => closed.push('client'));
          throw new ConfigError(name, ['PICKY_PARTNER: is not reachable']);
        },
      }),
      environment(),
    ).catch((error: unknown) => error);
    expect((failure as StartFailure).exitCode).toBe(78);
    expect((failure as StartFailure).details['problems']).toEqual([
      'PICKY_PARTNER: is not reachable',
    ]);
    expect(closed).toEqual(['client']);
    await expectEventually(async () =>
      expect(await openConnections(client, `baton-${name}`)).toBe(0),
    );
  });

  it('closes everything when the app cannot listen (the port is taken)', async () => {
    next();
    const closed: string[] = [];
    const failure = await start(
      definition({
        providers: ({ resources }) => {
          resources.add('client', 'a client', () => closed.push('client'));
          return [];
        },
      }),
      environment({ PORT: String(takenPort) }),
    ).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(StartFailure);
    expect((failure as StartFailure).exitCode).toBe(70);
    expect(closed).toEqual(['client']);
    await expectEventually(async () =>
      expect(await openConnections(client, `baton-${name}`)).toBe(0),
    );
  });

  it('starts and closes cleanly when nothing fails', async () => {
    next();
    const port = await freePort();
    const running = await start(definition(), environment({ PORT: String(port) }));
    expect(await openConnections(client, `baton-${name}`)).toBeGreaterThan(0);
    await running.close();
    await expectEventually(async () =>
      expect(await openConnections(client, `baton-${name}`)).toBe(0),
    );
  });
});
