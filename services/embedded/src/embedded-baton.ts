// Baton in one process: the six services, unchanged, sharing one transport (in memory unless
// KAFKA_BROKERS is set) and one database (an embedded PGlite unless DATABASE_URL is set). Only
// the transport and the connections differ from the distributed form; the envelopes, handlers,
// schemas and HTTP APIs are the same code.
import { join } from 'node:path';
import { ConfigError, loadConfig } from '@baton/config';
import { InProcessTransport, MessagingConfig, createTransport } from '@baton/messaging';
import {
  ServiceConfig,
  runService,
  type RunningService,
  type ServiceDefinition,
} from '@baton/service-kit';
import { createLogger, metricsPort, startTelemetry, type Logger } from '@baton/telemetry';
import { actionService } from '../../action/src/action.service-definition.js';
import { consoleService } from '../../console/src/console.service-definition.js';
import { contextService } from '../../context/src/context.service-definition.js';
import { decisionService } from '../../decision/src/decision.service-definition.js';
import { escalationService } from '../../escalation/src/escalation.service-definition.js';
import { triggerService } from '../../trigger/src/trigger.service-definition.js';
import { validationService } from '../../validation/src/validation.service-definition.js';
import { EmbeddedConfig } from './embedded.config.js';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded-postgres.js';

/** In start order: the trigger service first, as in the distributed form. */
export const SERVICE_DEFINITIONS: readonly ServiceDefinition[] = [
  triggerService,
  contextService,
  decisionService,
  actionService,
  validationService,
  escalationService,
];

/** The default ports are 3000–3005; a port base moves all six together. */
const FIRST_DEFAULT_PORT = 3000;
/** One backend runs one statement at a time: more in flight per service only queues. */
const EMBEDDED_POSTGRES_CONCURRENCY = '8';

export interface EmbeddedBatonOptions {
  env?: NodeJS.ProcessEnv;
  /**
   * Runs once the databases are there, before any service starts (`npm start` seeds the
   * example workflows' business data here).
   */
  beforeServices?: (databases: {
    databaseUrl: string;
    businessDatabaseUrl: string;
  }) => Promise<void>;
  /**
   * Also serves the console (the web app in front of the trigger and escalation APIs) on
   * BATON_CONSOLE_PORT, else the port base + 6 (3006): what `npm start` opens in a browser.
   */
  console?: boolean;
}

/** Where one of the two databases lives (what `npm start` tells the user). */
export type DataLocation =
  /** An embedded PGlite instance: in memory, or kept in `dataDir`. */
  | { store: 'pglite'; dataDir?: string }
  /** A Postgres server, from the setting named: `url` may hold credentials, never print it whole. */
  | { store: 'postgres'; url: string; setting: 'DATABASE_URL' | 'BUSINESS_DATABASE_URL' };

export interface EmbeddedBaton {
  readonly services: ReadonlyArray<{ name: string; url: string }>;
  /** The console's address, when it was asked for. */
  readonly consoleUrl: string | undefined;
  /** `in-process` or `kafka`. */
  readonly transport: string;
  /** `embedded` (PGlite) or the DATABASE_URL it was given. */
  readonly database: 'embedded' | 'external';
  readonly databaseUrl: string;
  readonly businessDatabaseUrl: string;
  /**
   * Where the data lives: `baton`, the six services' own tables (runs, review tasks, effect
   * ledgers, inbox and outbox); `business`, the business system the workflows read and write.
   */
  readonly data: { readonly baton: DataLocation; readonly business: DataLocation };
  readonly logger: Logger;
  readonly shutdownTimeoutMs: number;
  /** Stops taking work, drains what is in flight, closes everything; safe to call twice. */
  stop(): Promise<void>;
}

/** Starts the six services in this process. A bad setting exits 78 naming the variable. */
export async function startEmbeddedBaton(
  options: EmbeddedBatonOptions = {},
): Promise<EmbeddedBaton> {
  const env = options.env ?? process.env;
  const logger = createLogger({
    service: 'embedded',
    version: '0.1.0',
    level: env['LOG_LEVEL'] || 'info',
  });
  let config: { embedded: EmbeddedConfig; messaging: MessagingConfig; service: ServiceConfig };
  try {
    config = {
      embedded: loadConfig(EmbeddedConfig, env, 'embedded'),
      messaging: loadConfig(MessagingConfig, env, 'embedded'),
      service: loadConfig(ServiceConfig, env, 'embedded'),
    };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    logger.fatal({ problems: error.problems }, error.message);
    return process.exit(78);
  }

  const opened: Array<() => Promise<void>> = [];
  const closeOpened = async () => {
    for (const close of opened.splice(0).reverse()) await close().catch(() => undefined);
  };
  try {
    let postgres: EmbeddedPostgres | undefined;
    const external = env['DATABASE_URL'];
    const externalBusiness = env['BUSINESS_DATABASE_URL'] || external;
    if (!external || !externalBusiness) {
      const databases = [...(external ? [] : ['baton']), ...(externalBusiness ? [] : ['business'])];
      const started = Date.now();
      postgres = await startEmbeddedPostgres({
        databases,
        dataDir: config.embedded.dataDir || undefined,
        // The services reach PGlite through in-memory streams; a socket only when asked for.
        ...(config.embedded.postgresPort
          ? { listen: { host: '127.0.0.1', port: config.embedded.postgresPort } }
          : {}),
        onStall: (stall) =>
          logger.warn(
            stall,
            'embedded Postgres: one connection has held the session while others wait (a transaction waiting for something else?)',
          ),
      });
      opened.push(() => postgres!.stop());
      logger.info(
        {
          databases,
          dataDir: config.embedded.dataDir || 'memory',
          ms: Date.now() - started,
          ...(config.embedded.postgresPort ? { psql: postgres.socketUrls } : {}),
        },
        'embedded Postgres (PGlite) started',
      );
    }
    const databaseUrl = external || postgres!.urls['baton']!;
    const businessDatabaseUrl = externalBusiness || postgres!.urls['business']!;
    await options.beforeServices?.({ databaseUrl, businessDatabaseUrl });

    // One /metrics for the process: the six services' instruments share its meter provider.
    const telemetry = startTelemetry({
      serviceName: 'baton-embedded',
      serviceVersion: '0.1.0',
      metricsPort: metricsPort(
        config.service.metricsPort,
        config.embedded.portBase || FIRST_DEFAULT_PORT,
      ),
      metricsHost: config.service.host,
      environment: config.service.environment,
    });
    opened.push(() => telemetry.shutdown());
    const transport =
      config.messaging.kafkaBrokers.length > 0
        ? createTransport(config.messaging, 'baton-embedded', logger)
        : new InProcessTransport();
    opened.push(() => transport.close());

    const services: RunningService[] = [];
    opened.push(async () => {
      // All at once: each stops taking work and drains; none waits for another to stop.
      await Promise.all(services.splice(0).map((service) => service.close()));
    });
    for (const definition of SERVICE_DEFINITIONS) {
      const port = config.embedded.portBase
        ? config.embedded.portBase + definition.defaultPort - FIRST_DEFAULT_PORT
        : definition.defaultPort;
      services.push(
        await runService(
          definition,
          {
            ...(postgres ? { BATON_CONCURRENCY: EMBEDDED_POSTGRES_CONCURRENCY } : {}),
            ...env,
            DATABASE_URL: databaseUrl,
            BUSINESS_DATABASE_URL: businessDatabaseUrl,
            PORT: String(port),
          },
          { transport, telemetry },
        ),
      );
    }
    const url = (name: string) =>
      services[SERVICE_DEFINITIONS.findIndex((d) => d.name === name)]!.url;
    const consoleApp = options.console
      ? await consoleService.start(env, {
          upstreams: { trigger: url('trigger'), escalation: url('escalation') },
          defaultPort:
            (config.embedded.portBase || FIRST_DEFAULT_PORT) + SERVICE_DEFINITIONS.length,
        })
      : undefined;
    if (consoleApp) opened.push(() => consoleApp.close());
    const shutdownTimeoutMs = Number(env['BATON_SHUTDOWN_TIMEOUT_MS'] || 45_000);
    let stopping: Promise<void> | undefined;
    const embedded = (database: string): DataLocation => ({
      store: 'pglite',
      ...(config.embedded.dataDir ? { dataDir: join(config.embedded.dataDir, database) } : {}),
    });
    const data = {
      baton: external
        ? ({ store: 'postgres', url: external, setting: 'DATABASE_URL' } as const)
        : embedded('baton'),
      business: env['BUSINESS_DATABASE_URL']
        ? ({
            store: 'postgres',
            url: env['BUSINESS_DATABASE_URL'],
            setting: 'BUSINESS_DATABASE_URL',
          } as const)
        : external
          ? ({ store: 'postgres', url: external, setting: 'DATABASE_URL' } as const)
          : embedded('business'),
    };
    return {
      services: SERVICE_DEFINITIONS.map((d, i) => ({ name: d.name, url: services[i]!.url })),
      consoleUrl: consoleApp?.url,
      transport: transport.name,
      database: postgres && !external ? 'embedded' : 'external',
      databaseUrl,
      businessDatabaseUrl,
      data,
      logger,
      shutdownTimeoutMs,
      stop: () => (stopping ??= closeOpened()),
    };
  } catch (error) {
    await closeOpened();
    throw error;
  }
}

/**
 * Ctrl-C / SIGTERM: drain and close, then exit 0; a second signal, or the shutdown timeout,
 * exits at once with 1.
 */
export function stopOnSignals(baton: EmbeddedBaton, onStopping?: () => void): void {
  let signalled = false;
  const stop = (signal: NodeJS.Signals) => {
    if (signalled) process.exit(1);
    signalled = true;
    onStopping?.();
    baton.logger.info({ signal }, 'stopping: draining the six services');
    setTimeout(() => process.exit(1), baton.shutdownTimeoutMs).unref();
    baton.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        baton.logger.error({ err: error }, 'stopping failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
