// Baton in embedded mode for e2e tests, started exactly as `npm start` starts it (same entry
// point, tools/start.ts) as a child process: the six services in one process, the in-process
// transport and an embedded Postgres (PGlite) — DATABASE_URL and KAFKA_BROKERS are removed
// from its environment so it cannot use the shared ones. Reusable: start it with the model
// (or none) a test needs, use its URLs and keys, stop it.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import {
  REPO_ROOT,
  TEST_KEYS,
  bearer,
  expectEventually,
  stablePortRange,
  testApiKeysSetting,
} from '@baton/testing';

const SERVICES = ['trigger', 'context', 'decision', 'action', 'validation', 'escalation'] as const;
export type EmbeddedService = (typeof SERVICES)[number];

export interface EmbeddedBatonProcessOptions {
  /** An OpenAI-compatible endpoint for decisions; none: the workflows' rules only. */
  model?: { baseUrl: string; apiKey: string };
  /** More environment (BATON_WORKFLOWS_DIR, LOG_LEVEL, …); applied last. */
  env?: NodeJS.ProcessEnv;
  readyTimeoutMs?: number;
}

/** Variables that would point the embedded process at shared infrastructure or a model. */
const REMOVED = [
  'DATABASE_URL',
  'BUSINESS_DATABASE_URL',
  'KAFKA_BROKERS',
  'OPENAI_API_KEY',
  'OPENAI_BASE_URL',
  'BATON_EMBEDDED_DATA_DIR',
  'BATON_API_KEYS',
];

export class EmbeddedBatonProcess {
  /** Keys the process accepts (`BATON_API_KEYS`): one per role. */
  readonly keys = TEST_KEYS;
  readonly bearer = bearer;
  readonly logFile: string;
  /** The output of the process so far (its logs and the `npm start` instructions). */
  output = '';
  private child: ChildProcess | undefined;
  private exited: Promise<number | null> | undefined;
  private portBase = 0;

  constructor(private readonly options: EmbeddedBatonProcessOptions = {}) {
    const dir = `${REPO_ROOT}.baton/e2e-logs`;
    mkdirSync(dir, { recursive: true });
    this.logFile = `${dir}/embedded-${Date.now().toString(36)}.log`;
  }

  url(service: EmbeddedService): string {
    return `http://127.0.0.1:${this.portBase + SERVICES.indexOf(service)}`;
  }

  /** The console (web app), on the port after /metrics. */
  get consoleUrl(): string {
    return `http://127.0.0.1:${this.portBase + SERVICES.length + 1}`;
  }

  /** The process's Prometheus endpoint (all six services' metrics). */
  get metricsUrl(): string {
    return `http://127.0.0.1:${this.portBase + SERVICES.length}/metrics`;
  }

  get triggerUrl(): string {
    return this.url('trigger');
  }

  get escalationUrl(): string {
    return this.url('escalation');
  }

  async start(): Promise<this> {
    // The six services' ports, then the one /metrics port of the process, then the console's.
    this.portBase = await stablePortRange(SERVICES.length + 2);
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const name of REMOVED) delete env[name];
    Object.assign(env, {
      NODE_ENV: 'test',
      BATON_PORT_BASE: String(this.portBase),
      BATON_METRICS_PORT: String(this.portBase + SERVICES.length),
      BATON_CONSOLE_PORT: String(this.portBase + SERVICES.length + 1),
      BATON_API_KEYS: testApiKeysSetting(),
      BATON_DEV_KEYS_FILE: `${this.logFile}.dev-keys.env`,
      BATON_DRAIN_TIMEOUT_MS: '5000',
      LOG_LEVEL: process.env['LOG_LEVEL'] ?? 'info',
      ...(this.options.model
        ? { OPENAI_BASE_URL: this.options.model.baseUrl, OPENAI_API_KEY: this.options.model.apiKey }
        : {}),
      ...this.options.env,
    });
    const log = createWriteStream(this.logFile);
    const child = spawn(
      process.execPath,
      ['--import', `${REPO_ROOT}tools/ts-register.mjs`, `${REPO_ROOT}tools/start.ts`],
      { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.child = child;
    for (const stream of [child.stdout!, child.stderr!]) {
      stream.on('data', (chunk: Buffer) => {
        this.output += chunk.toString('utf8');
        log.write(chunk);
      });
    }
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      await expectEventually(
        async () => {
          if (child.exitCode !== null)
            throw new Error(`embedded Baton exited with ${child.exitCode}; see ${this.logFile}`);
          for (const service of SERVICES) {
            const status = await fetch(`${this.url(service)}/health/ready`).then(
              (r) => r.status,
              () => 0,
            );
            if (status !== 200) throw new Error(`${service} is not ready (${status})`);
          }
          // Ready means the instructions are printed too: npm start's own last step.
          if (!this.output.includes('Baton is up'))
            throw new Error('the instructions are not printed yet');
        },
        { timeoutMs: this.options.readyTimeoutMs ?? 120_000, intervalMs: 250 },
      );
    } catch (error) {
      await this.stop();
      throw error;
    }
    return this;
  }

  /** Ctrl-C as a developer would: drains and stops; resolves with the exit code. */
  async stop(signal: NodeJS.Signals = 'SIGINT'): Promise<number | null> {
    if (!this.child || !this.exited) return null;
    if (this.child.exitCode === null) this.child.kill(signal);
    const timer = setTimeout(() => this.child?.kill('SIGKILL'), 30_000);
    const code = await this.exited;
    clearTimeout(timer);
    this.child = undefined;
    return code;
  }
}
