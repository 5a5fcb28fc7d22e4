import 'reflect-metadata';
import type { INestApplication, Provider, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { DataSource } from 'typeorm';
import { RecordSigner, allTopics, topicNames } from '@baton/contracts';
import { ConfigError, loadConfig } from '@baton/config';
import {
  BatonServer,
  MESSAGING_MIGRATIONS,
  MessagingConfig,
  MessagingRuntime,
  Routes,
  createTransport,
  kafkaSecurity,
} from '@baton/messaging';
import { BusinessDatabaseConfig } from '@baton/business';
import {
  PersistenceConfig,
  capacityProblem,
  connectionBudget,
  openDatabase,
  serverCapacity,
  type ConnectionBudget,
} from '@baton/persistence';
import { createLogger, startTelemetry, type Logger } from '@baton/telemetry';
import { WorkflowCatalog } from '@baton/workflow';
import { fileURLToPath } from 'node:url';
import { KitModule } from './kit.module.js';
import { PinoNestLogger } from './nest-logger.js';
import { parseByteSize } from './body-limit.js';
import { ErrorBodyFilter } from './error-body.filter.js';
import { ServiceConfig } from './service.config.js';
import { WORKFLOWS } from './tokens.js';
import { WorkflowRegistryFollower } from './workflow-registry.js';
import { awaitWorkflowVersion } from './workflow-version.js';
import { reportDeadLetteredSteps } from './dead-letter-report.js';
import { JsonInputInterceptor } from './json-input.interceptor.js';
import { RateLimitInterceptor } from './rate-limit.interceptor.js';
import {
  DatabaseUnavailableAtStart,
  databaseLocation,
  openDatabaseWhenUp,
} from './database-startup.js';
import { sharedTelemetry, sharedTransport, type ServiceHost } from './service-host.js';

const DEFAULT_WORKFLOWS_DIR = fileURLToPath(new URL('../../../workflows/', import.meta.url));

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
type MigrationList = Array<Function>;

/** What a service's schema is migrated with, in order: the kit's messaging tables, then its own. */
export function serviceMigrations(
  definition: Pick<ServiceDefinition, 'migrations'>,
): MigrationList {
  return [...MESSAGING_MIGRATIONS, ...definition.migrations];
}

export interface ServiceDefinition {
  /** `trigger`, `context`, …: names the process, its consumer group and its Postgres schema. */
  name: string;
  version: string;
  defaultPort: number;
  /** The service's feature module: controllers (HTTP and `@OnMessage`) and use cases. */
  module: Type<unknown>;
  /** The service's own migrations (the messaging tables are added by the kit). */
  migrations: MigrationList;
  /** Whether it opens a pool to the business database (its share of BATON_DB_CONNECTIONS). */
  businessDatabase?: boolean;
  /** Builds service-specific providers (config, clients) before Nest starts. */
  providers?: (context: {
    env: NodeJS.ProcessEnv;
    logger: Logger;
    dataSource: DataSource;
    workflows: WorkflowCatalog;
    /** The process's connection budget: the business pool opens `connections.business`. */
    connections: ConnectionBudget;
  }) => Provider[] | Promise<Provider[]>;
}

export interface RunningService {
  app: INestApplication;
  url: string;
  close(): Promise<void>;
}

/**
 * Starts one Baton service: telemetry first, then validated config, its database schema and
 * migrations, Kafka, and the Nest app (HTTP API + Baton transport), with graceful shutdown.
 * A bad configuration ends the process with every offending variable named (exit 78).
 * `host` is given when one process runs several services (embedded mode): they share its
 * transport and telemetry, and the host, not each service, handles signals and shutdown.
 */
export async function runService(
  definition: ServiceDefinition,
  env: NodeJS.ProcessEnv = process.env,
  host?: ServiceHost,
): Promise<RunningService> {
  const { name, version } = definition;
  const telemetry = host
    ? sharedTelemetry(host.telemetry)
    : startTelemetry({ serviceName: `baton-${name}`, serviceVersion: version });
  const logger = createLogger({ service: name, version, level: env['LOG_LEVEL'] || 'info' });
  let config: {
    service: ServiceConfig;
    messaging: MessagingConfig;
    persistence: PersistenceConfig;
  };
  let bodyLimit: number;
  let connections: ConnectionBudget;
  let signer: RecordSigner | undefined;
  try {
    config = {
      service: loadConfig(ServiceConfig, env, name),
      messaging: loadConfig(MessagingConfig, env, name),
      persistence: loadConfig(PersistenceConfig, env, name),
    };
    const limit = parseByteSize(config.service.httpBodyLimit);
    if (limit === undefined) {
      throw new ConfigError(name, [
        `BATON_HTTP_BODY_LIMIT must be a size such as 512kb, 1mb or 1048576 (bytes), got ${JSON.stringify(config.service.httpBodyLimit)}`,
      ]);
    }
    bodyLimit = limit;
    const budgeted = connectionBudget({
      connections: config.persistence.connections,
      poolSize: config.persistence.poolSize,
      businessPoolSize: definition.businessDatabase
        ? loadConfig(BusinessDatabaseConfig, env, name).businessPoolSize
        : 0,
      concurrency: config.messaging.concurrency,
      business: definition.businessDatabase ?? false,
    });
    if (!budgeted.ok) throw new ConfigError(name, budgeted.problems);
    connections = budgeted.budget;
    if (!host && config.messaging.kafkaBrokers.length === 0) {
      throw new ConfigError(name, [
        'KAFKA_BROKERS is required: a service on its own process talks to the others through Kafka',
      ]);
    }
    signer = signerOf(name, config.messaging);
    const secured = kafkaSecurity(config.messaging);
    if (!secured.ok) throw new ConfigError(name, secured.problems);
  } catch (error) {
    if (error instanceof ConfigError) {
      logger.fatal({ problems: error.problems }, error.message);
      process.exit(78);
    }
    throw error;
  }

  const consumer = `${config.messaging.topicPrefix}${name}`;
  const workflows = WorkflowCatalog.fromDirectory(
    config.service.workflowsDir || DEFAULT_WORKFLOWS_DIR,
  );
  const dataSource = await openDatabaseWhenUp(
    () =>
      openDatabase({
        url: config.persistence.databaseUrl,
        schema: `${config.service.schemaPrefix}${name}`,
        migrations: serviceMigrations(definition),
        poolSize: connections.baton,
        applicationName: `baton-${name}`,
      }),
    {
      url: config.persistence.databaseUrl,
      waitMs: config.service.databaseStartupWaitMs,
      logger,
    },
  ).catch((error: unknown) => {
    // One line that says what is wrong, not a stack trace on stderr.
    logger.fatal(
      { err: error, database: databaseLocation(config.persistence.databaseUrl) },
      error instanceof DatabaseUnavailableAtStart
        ? error.message
        : 'could not open the database; the service does not start',
    );
    if (host) throw error;
    process.exit(error instanceof DatabaseUnavailableAtStart ? 69 : 70);
  });
  await checkCapacity(dataSource, connections, config.persistence.databaseUrl, env, logger, name);
  const transport = host
    ? sharedTransport(host.transport)
    : createTransport(config.messaging, `baton-${name}`, logger);
  const names = topicNames(config.messaging.topicPrefix);
  await transport.ensureTopics(
    allTopics(names).map((topic) => ({ topic, compacted: topic === names.workflowDefinitions })),
  );
  // Every published workflow version is known before the first message is handled.
  await WorkflowRegistryFollower.follow({
    transport,
    topic: names.workflowDefinitions,
    workflows,
    logger,
    groupPrefix: consumer,
    catchUpTimeoutMs: config.service.registryCatchUpTimeoutMs,
    lookupWaitMs: config.service.workflowLookupWaitMs,
    ...(signer ? { signer } : {}),
  });
  const routes = new Routes(config.messaging.topicPrefix);
  const runtime: MessagingRuntime = new MessagingRuntime({
    consumer,
    transport,
    dataSource,
    logger,
    config: config.messaging,
    beforeHandle: awaitWorkflowVersion(workflows),
    afterDeadLetter: reportDeadLetteredSteps(() => runtime, routes),
  });
  let providers: Provider[];
  try {
    providers = [
      { provide: WORKFLOWS, useValue: workflows },
      ...((await definition.providers?.({ env, logger, dataSource, workflows, connections })) ??
        []),
    ];
  } catch (error) {
    await transport.close();
    await dataSource.destroy();
    if (error instanceof ConfigError) {
      logger.fatal({ problems: error.problems }, error.message);
      process.exit(78);
    }
    throw error;
  }

  const app = await NestFactory.create<NestExpressApplication>(
    KitModule.forService(definition.module, {
      service: { name, version },
      dataSource,
      runtime,
      routes,
      messaging: config.messaging,
      logger,
      telemetry,
      httpBodyLimit: bodyLimit,
      providers,
    }),
    // Bodies are JSON, read with the configured limit; no form parser.
    { logger: new PinoNestLogger(logger), bufferLogs: true, bodyParser: false },
  );
  app.useBodyParser('json', { limit: bodyLimit });
  app.useGlobalFilters(new ErrorBodyFilter(app.getHttpAdapter(), logger));
  app.useGlobalInterceptors(
    new RateLimitInterceptor({
      perMinute: config.service.rateLimitPerMinute,
      burst: config.service.rateLimitBurst,
    }),
    new JsonInputInterceptor(),
  );
  app.connectMicroservice(
    { strategy: new BatonServer(runtime, routes) },
    { inheritAppConfig: true },
  );
  if (!host) app.enableShutdownHooks();
  await app.startAllMicroservices();
  const port = config.service.port || definition.defaultPort;
  await app.listen(port, config.service.host);
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  logger.info(
    {
      url,
      consumer,
      transport: transport.name,
      workflows: workflows.all().map((w) => `${w.id}@${w.version}`),
    },
    `${name} service started`,
  );

  if (!host) {
    const hardStop = () =>
      setTimeout(() => process.exit(1), config.service.shutdownTimeoutMs).unref();
    process.once('SIGTERM', hardStop);
    process.once('SIGINT', hardStop);
  }
  return { app, url, close: () => app.close() };
}

/**
 * The connection budget against the server, once at start: a budget the server can never grant
 * stops the start (exit 78) with the numbers; one that does not fit beside the connections
 * already open is a warning. The business pool is counted here only when it is the same server.
 */
async function checkCapacity(
  dataSource: DataSource,
  connections: ConnectionBudget,
  databaseUrl: string,
  env: NodeJS.ProcessEnv,
  logger: Logger,
  name: string,
): Promise<void> {
  const where = serverOf(databaseUrl);
  const businessUrl = env['BUSINESS_DATABASE_URL'] || databaseUrl;
  const total =
    serverOf(businessUrl) === where ? connections.total : connections.total - connections.business;
  let capacity: Awaited<ReturnType<typeof serverCapacity>>;
  try {
    capacity = await serverCapacity(dataSource);
  } catch (error) {
    // An embedded Postgres (PGlite) has no connection limits to read.
    logger.debug({ err: error }, "the server's connection limits could not be read");
    return;
  }
  const problem = capacityProblem({ total }, capacity, where);
  if (problem.warning) logger.warn({ connections }, problem.warning);
  if (problem.fatal) {
    await dataSource.destroy();
    logger.fatal({ problems: [problem.fatal] }, `invalid configuration of ${name}`);
    process.exit(78);
  }
}

/** `host:port/db` of a Postgres URL, never its credentials. */
function serverOf(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || '5432'}${parsed.pathname}`;
  } catch {
    return 'the database';
  }
}

/**
 * The deployment's record signer (BATON_SIGNING_KEY). Required with Kafka: without it anything
 * that can write to the broker could move a run. The in-process transport needs none.
 */
function signerOf(name: string, messaging: MessagingConfig): RecordSigner | undefined {
  let signer: RecordSigner | undefined;
  try {
    signer = RecordSigner.fromSetting(messaging.signingKey);
  } catch (error) {
    throw new ConfigError(name, [`BATON_SIGNING_KEY: ${(error as Error).message}`]);
  }
  if (!signer && messaging.kafkaBrokers.length > 0)
    throw new ConfigError(name, [
      "BATON_SIGNING_KEY is required with Kafka: the deployment's record signing key, the same for every service (`openssl rand -hex 32` makes one); services handle only records signed with it",
    ]);
  return signer;
}
