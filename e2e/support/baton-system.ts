// The whole system for e2e tests: the six services as separate processes on the real broker
// and Postgres, a scripted OpenAI-compatible server and an OTLP receiver. Each system gets
// its own topic prefix and schema prefix, so runs never see another system's data.
import { readFileSync } from 'node:fs';
import {
  OtlpReceiver,
  REPO_ROOT,
  ScriptedOpenAI,
  dropSchema,
  seedBusinessData,
  SERVICES,
  ServiceProcesses,
  type ServiceName,
  freePort,
  testApiKeysSetting,
  testDatabaseUrl,
  testKafkaBrokers,
  uniqueTopic,
} from '@baton/testing';

export { SERVICES, type ServiceName };

export interface BatonSystemOptions {
  /**
   * The model endpoint the decision service uses instead of the built-in ScriptedOpenAI
   * (`baton cases` serves its own scripted model: http://127.0.0.1:<port>/v1).
   */
  modelBaseUrl?: string;
  /** Extra settings for every service (a test's own bounds, such as BATON_BACKTEST_MAX_IN_FLIGHT). */
  env?: Record<string, string>;
}

export class BatonSystem {
  readonly model = new ScriptedOpenAI();
  readonly otlp = new OtlpReceiver();
  readonly topicPrefix = `${uniqueTopic('e2e')}.`;
  readonly schemaPrefix = `e${Date.now().toString(36)}_`;
  readonly ports = {} as Record<ServiceName, number>;
  /** Each service's Prometheus /metrics port (BATON_METRICS_PORT). */
  readonly metricsPorts = {} as Record<ServiceName, number>;
  private readonly processes = new ServiceProcesses(
    `${REPO_ROOT}.baton/e2e-logs/${this.schemaPrefix}`,
    (service) => this.env(service),
    (service) => this.ports[service],
  );

  constructor(private readonly options: BatonSystemOptions = {}) {}

  url(service: ServiceName): string {
    return `http://127.0.0.1:${this.ports[service]}`;
  }

  async start(): Promise<this> {
    await Promise.all([this.model.start(), this.otlp.start(), seedBusinessData(testDatabaseUrl())]);
    for (const service of SERVICES) {
      this.ports[service] = await freePort();
      this.metricsPorts[service] = await freePort();
    }
    // The trigger service first: it creates every topic, so the others find them.
    await this.startService('trigger');
    await Promise.all(SERVICES.filter((s) => s !== 'trigger').map((s) => this.startService(s)));
    return this;
  }

  env(service: ServiceName): NodeJS.ProcessEnv {
    return {
      ...process.env,
      NODE_ENV: 'test',
      KAFKA_BROKERS: testKafkaBrokers().join(','),
      DATABASE_URL: testDatabaseUrl(),
      BUSINESS_DATABASE_URL: testDatabaseUrl(),
      BATON_TOPIC_PREFIX: this.topicPrefix,
      BATON_SCHEMA_PREFIX: this.schemaPrefix,
      BATON_API_KEYS: testApiKeysSetting(),
      BATON_OUTBOX_SWEEP_GRACE_MS: '1000',
      KAFKA_SESSION_TIMEOUT_MS: '6000',
      KAFKA_HEARTBEAT_INTERVAL_MS: '500',
      BATON_DRAIN_TIMEOUT_MS: '5000',
      PORT: String(this.ports[service]),
      BATON_METRICS_PORT: String(this.metricsPorts[service]),
      HOST: '127.0.0.1',
      OPENAI_API_KEY: 'e2e-test-key',
      OPENAI_BASE_URL: this.options.modelBaseUrl ?? this.model.baseURL,
      // An outside scripted model may hold a call until the run's script is registered.
      OPENAI_TIMEOUT_MS: this.options.modelBaseUrl ? '15000' : '1500',
      OTEL_EXPORTER_OTLP_ENDPOINT: this.otlp.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      LOG_LEVEL: process.env['LOG_LEVEL'] ?? 'info',
      ...this.options.env,
    };
  }

  startService(service: ServiceName): Promise<void> {
    return this.processes.start(service);
  }

  /** SIGTERM (graceful: drain, commit, leave) or SIGKILL (a crash). */
  stopService(service: ServiceName, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    return this.processes.stop(service, signal);
  }

  logs(service: ServiceName): string {
    return readFileSync(this.processes.logFile(service), 'utf8');
  }

  async stop(): Promise<void> {
    await this.processes.stopAll();
    await Promise.all([this.model.stop(), this.otlp.stop()]);
    for (const service of SERVICES) await dropSchema(`${this.schemaPrefix}${service}`);
  }
}
