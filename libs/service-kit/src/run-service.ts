import 'reflect-metadata';
import type { INestApplication, Provider, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { DataSource } from 'typeorm';
import type { Telemetry } from '@baton/telemetry';
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
  type MessageTransport,
} from '@baton/messaging';
import { BusinessDatabase, BusinessDatabaseConfig } from '@baton/business';
import {
  PersistenceConfig,
  capacityProblem,
  connectionBudget,
  openDatabase,
  serverCapacity,
  type ConnectionBudget,
} from '@baton/persistence';
import { createLogger, metricsPort, startTelemetry, type Logger } from '@baton/telemetry';
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
import { CLOCK, systemClock } from './clock.js';
import { Resources } from './resources.js';
import { StartFailure, reportStartFailure } from './start-failure.js';
import { openApiDocument } from './api-docs/openapi-document.js';
import { serveApiDocs } from './api-docs/serve-api-docs.js';

const DEFAULT_WORKFLOWS_DIR = fileURLToPath(new URL('../../../workflows/', import.meta.url));

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
type MigrationList = Array<Function>;

/** What a service's schema is migrated with, in order: the kit's messaging tables, then its own. */
export function serviceMigrations(
  definition: Pick<ServiceDefinition, 'migrations'>,
): MigrationList {
  return [...MESSAGING_MIGRATIONS, ...definition.migrations];
}

/** A settings class (fields with `@Setting`), read from the environment at start. */
export type SettingsClass<T extends object = object> = new () => T;

/** The service's own settings, loaded by the kit: `settings(Class)` is the loaded instance. */
export type SettingsOf = <T extends object>(cls: SettingsClass<T>) => T;

export interface ServiceDefinition {
  /** `trigger`, `context`, …: names the process, its consumer group and its Postgres schema. */
  name: string;
  version: string;
  defaultPort: number;
  /** The service's feature module: controllers (HTTP and `@OnMessage`) and use cases. */
  module: Type<unknown>;
  /** The service's own migrations (the messaging tables are added by the kit). */
  migrations: MigrationList;
  /**
   * Whether it reads or writes the business database: the kit then opens a pool to it
   * (BUSINESS_DATABASE_URL, else DATABASE_URL; its share of BATON_DB_CONNECTIONS) and provides
   * it as `BusinessDatabase`.
   */
  businessDatabase?: boolean;
  /**
   * The service's own settings classes. The kit reads them with its own, reports every bad
   * variable of all of them at once (exit 78), and provides each instance under its class.
   */
  settings?: SettingsClass[];
  /**
   * Builds service-specific providers (clients, derived values) before Nest starts. What it
   * opens it registers with `resources`, so a start that fails later closes it; a ConfigError
   * it throws is reported like a bad setting.
   */
  providers?: (context: {
    env: NodeJS.ProcessEnv;
    logger: Logger;
    dataSource: DataSource;
    workflows: WorkflowCatalog;
    /** The process's connection budget: the business pool opens `connections.business`. */
    connections: ConnectionBudget;
    settings: SettingsOf;
    resources: Resources;
  }) => Provider[] | Promise<Provider[]>;
}

export interface RunningService {
  app: INestApplication;
  url: string;
  close(): Promise<void>;
}

/** Everything a service reads from its environment, validated before anything is opened. */
interface LoadedSettings {
  service: ServiceConfig;
  messaging: MessagingConfig;
  persistence: PersistenceConfig;
  bodyLimit: number;
  connections: ConnectionBudget;
  signer: RecordSigner | undefined;
  business: BusinessDatabaseConfig | undefined;
  own: SettingsOf;
  ownProviders: Provider[];
}

/**
 * Starts one Baton service in three phases: its settings (all validated before anything
 * opens), its resources (database, broker, workflow registry, the service's own clients, each
 * registered so that a failure later closes what is open, in reverse order), and the Nest app
 * (HTTP API + Baton transport) with graceful shutdown. A failed start is reported once
 * (`reportStartFailure`): a process of its own exits 78 for a configuration, 69 for a database
 * that did not come up in time, 70 otherwise. `host` is given when one process runs several
 * services (embedded mode, the service test tier): they share its transport and telemetry, the
 * host handles signals and shutdown, and a failed start throws a StartFailure to it.
 */
export async function runService(
  definition: ServiceDefinition,
  env: NodeJS.ProcessEnv = process.env,
  host?: ServiceHost,
): Promise<RunningService> {
  const { name, version } = definition;
  const logger = createLogger({ service: name, version, level: env['LOG_LEVEL'] || 'info' });
  const resources = new Resources(logger);
  try {
    const settings = loadSettings(definition, env, host);
    const telemetry = resources.add(
      'telemetry',
      host
        ? sharedTelemetry(host.telemetry)
        : startTelemetry({
            serviceName: `baton-${name}`,
            serviceVersion: version,
            metricsPort: metricsPort(settings.service.metricsPort, definition.defaultPort),
            metricsHost: settings.service.host,
            environment: settings.service.environment,
          }),
      (t) => t.shutdown(),
    );
    const opened = await openResources(definition, settings, env, logger, resources, host);
    return await startApp(definition, settings, opened, telemetry, logger, resources, host);
  } catch (error) {
    await resources.closeAll();
    return reportStartFailure(error, logger, !host);
  }
}

/** Phase 1: the kit's settings and the service's own, every problem reported at once. */
function loadSettings(
  definition: ServiceDefinition,
  env: NodeJS.ProcessEnv,
  host: ServiceHost | undefined,
): LoadedSettings {
  const { name } = definition;
  const problems: string[] = [];
  const load = <T extends object>(cls: SettingsClass<T>): T | undefined => {
    try {
      return loadConfig(cls, env, name);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(...error.problems);
      return undefined;
    }
  };
  const service = load(ServiceConfig);
  const messaging = load(MessagingConfig);
  const persistence = load(PersistenceConfig);
  const business = definition.businessDatabase ? load(BusinessDatabaseConfig) : undefined;
  const own = new Map<SettingsClass, object>();
  for (const cls of definition.settings ?? []) {
    const loaded = load(cls);
    if (loaded) own.set(cls, loaded);
  }
  if (!service || !messaging || !persistence || (definition.businessDatabase && !business))
    throw new ConfigError(name, problems);
  const bodyLimit = parseByteSize(service.httpBodyLimit);
  if (bodyLimit === undefined)
    problems.push(
      `BATON_HTTP_BODY_LIMIT must be a size such as 512kb, 1mb or 1048576 (bytes), got ${JSON.stringify(service.httpBodyLimit)}`,
    );
  const budgeted = connectionBudget({
    connections: persistence.connections,
    poolSize: persistence.poolSize,
    businessPoolSize: business?.businessPoolSize ?? 0,
    concurrency: messaging.concurrency,
    business: definition.businessDatabase ?? false,
  });
  if (!budgeted.ok) problems.push(...budgeted.problems);
  if (!host && messaging.kafkaBrokers.length === 0)
    problems.push(
      'KAFKA_BROKERS is required: a service on its own process talks to the others through Kafka',
    );
  let signer: RecordSigner | undefined;
  try {
    signer = signerOf(name, messaging);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(...error.problems);
  }
  const secured = kafkaSecurity(messaging);
  if (!secured.ok) problems.push(...secured.problems);
  if (problems.length > 0 || bodyLimit === undefined || !budgeted.ok)
    throw new ConfigError(name, problems);
  return {
    service,
    messaging,
    persistence,
    bodyLimit,
    connections: budgeted.budget,
    signer,
    business,
    own: <T extends object>(cls: SettingsClass<T>): T => {
      const loaded = own.get(cls);
      if (!loaded)
        throw new Error(`${cls.name} is not among the settings of the ${name} service definition`);
      return loaded as T;
    },
    ownProviders: [...own].map(([cls, value]) => ({ provide: cls, useValue: value })),
  };
}

interface OpenedResources {
  dataSource: DataSource;
  transport: MessageTransport;
  workflows: WorkflowCatalog;
  routes: Routes;
  runtime: MessagingRuntime;
  providers: Provider[];
}

/** Phase 2: database, broker, workflow registry, the service's own clients; all registered. */
async function openResources(
  definition: ServiceDefinition,
  settings: LoadedSettings,
  env: NodeJS.ProcessEnv,
  logger: Logger,
  resources: Resources,
  host: ServiceHost | undefined,
): Promise<OpenedResources> {
  const { name } = definition;
  const { service, messaging, persistence, connections } = settings;
  const consumer = `${messaging.topicPrefix}${name}`;
  const workflows = WorkflowCatalog.fromDirectory(service.workflowsDir || DEFAULT_WORKFLOWS_DIR);
  const dataSource = resources.add(
    'database',
    await openDatabaseWhenUp(
      () =>
        openDatabase({
          url: persistence.databaseUrl,
          schema: `${service.schemaPrefix}${name}`,
          migrations: serviceMigrations(definition),
          poolSize: connections.baton,
          applicationName: `baton-${name}`,
        }),
      { url: persistence.databaseUrl, waitMs: service.databaseStartupWaitMs, logger },
    ).catch((error: unknown) => {
      const database = databaseLocation(persistence.databaseUrl);
      throw error instanceof DatabaseUnavailableAtStart
        ? new StartFailure(error.message, 69, { database }, { cause: error })
        : new StartFailure(
            'could not open the database; the service does not start',
            70,
            { err: error, database },
            { cause: error },
          );
    }),
    (d) => d.destroy(),
  );
  await checkCapacity(dataSource, connections, persistence.databaseUrl, env, logger, name);
  const transport = resources.add(
    'broker',
    host ? sharedTransport(host.transport) : createTransport(messaging, `baton-${name}`, logger),
    (t) => t.close(),
  );
  const names = topicNames(messaging.topicPrefix);
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
    catchUpTimeoutMs: service.registryCatchUpTimeoutMs,
    lookupWaitMs: service.workflowLookupWaitMs,
    ...(settings.signer ? { signer: settings.signer } : {}),
  });
  const routes = new Routes(messaging.topicPrefix);
  const runtime: MessagingRuntime = new MessagingRuntime({
    consumer,
    transport,
    dataSource,
    logger,
    config: messaging,
    beforeHandle: awaitWorkflowVersion(workflows),
    afterDeadLetter: reportDeadLetteredSteps(() => runtime, routes),
  });
  resources.add('messaging runtime', runtime, (r) => r.stop());
  const business = settings.business
    ? resources.add(
        'business database',
        BusinessDatabase.open({
          url: settings.business.businessDatabaseUrl || persistence.databaseUrl,
          poolSize: connections.business,
          logger,
          applicationName: `baton-${name}-business`,
        }),
        (database) => database.close(),
      )
    : undefined;
  const providers = [
    { provide: WORKFLOWS, useValue: workflows },
    ...(business ? [{ provide: BusinessDatabase, useValue: business }] : []),
    { provide: CLOCK, useValue: systemClock },
    ...settings.ownProviders,
    ...((await definition.providers?.({
      env,
      logger,
      dataSource,
      workflows,
      connections,
      settings: settings.own,
      resources,
    })) ?? []),
  ];
  return { dataSource, transport, workflows, routes, runtime, providers };
}

/** Phase 3: the Nest app, its HTTP API and its message handlers, listening. */
async function startApp(
  definition: ServiceDefinition,
  settings: LoadedSettings,
  opened: OpenedResources,
  telemetry: Telemetry,
  logger: Logger,
  resources: Resources,
  host: ServiceHost | undefined,
): Promise<RunningService> {
  const { name, version } = definition;
  const { messaging, bodyLimit } = settings;
  const { runtime, routes } = opened;
  const app = await NestFactory.create<NestExpressApplication>(
    KitModule.forService(definition.module, {
      service: { name, version },
      dataSource: opened.dataSource,
      runtime,
      routes,
      messaging,
      logger,
      telemetry,
      httpBodyLimit: bodyLimit,
      providers: opened.providers,
      resources,
    }),
    // Bodies are JSON, read with the configured limit; no form parser.
    { logger: new PinoNestLogger(logger), bufferLogs: true, bodyParser: false },
  );
  try {
    return await listen(app, definition, settings, opened, logger, host);
  } catch (error) {
    // Closing the app closes what the kit opened too (KitShutdown), in reverse order.
    await app
      .close()
      .catch((closing: unknown) =>
        logger.warn({ err: closing }, 'closing the half-started app failed'),
      );
    throw error;
  }
}

async function listen(
  app: NestExpressApplication,
  definition: ServiceDefinition,
  settings: LoadedSettings,
  opened: OpenedResources,
  logger: Logger,
  host: ServiceHost | undefined,
): Promise<RunningService> {
  const { name } = definition;
  const { service, messaging, bodyLimit } = settings;
  const { runtime, routes, transport, workflows } = opened;
  app.useBodyParser('json', { limit: bodyLimit });
  app.useGlobalFilters(new ErrorBodyFilter(app.getHttpAdapter(), logger));
  app.useGlobalInterceptors(
    new RateLimitInterceptor({
      perMinute: service.rateLimitPerMinute,
      burst: service.rateLimitBurst,
    }),
    new JsonInputInterceptor(),
  );
  let url = '';
  serveApiDocs(app, () => openApiDocument([{ service: definition, app, url }]));
  app.connectMicroservice(
    { strategy: new BatonServer(runtime, routes) },
    { inheritAppConfig: true },
  );
  if (!host) app.enableShutdownHooks();
  await app.startAllMicroservices();
  const port = service.port || definition.defaultPort;
  await app.listen(port, service.host);
  url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  logger.info(
    {
      url,
      consumer: `${messaging.topicPrefix}${name}`,
      transport: transport.name,
      workflows: workflows.all().map((w) => `${w.id}@${w.version}`),
    },
    `${name} service started`,
  );

  if (!host) {
    const hardStop = () => setTimeout(() => process.exit(1), service.shutdownTimeoutMs).unref();
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
  if (problem.fatal) throw new ConfigError(name, [problem.fatal]);
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
