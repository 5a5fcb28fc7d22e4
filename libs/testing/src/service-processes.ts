// Runs Baton services as separate processes from the sources (the distributed form on one
// machine), for `npm start` and the e2e tests: start with an environment, wait until ready,
// stop gracefully (SIGTERM: drain, commit, leave) or as a crash (SIGKILL).
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { REPO_ROOT } from './infra/environment.js';

export const SERVICES = [
  'trigger',
  'context',
  'decision',
  'action',
  'validation',
  'escalation',
] as const;
export type ServiceName = (typeof SERVICES)[number];

/** Each service's default HTTP port. */
export const DEFAULT_PORTS: Record<ServiceName, number> = {
  trigger: 3000,
  context: 3001,
  decision: 3002,
  action: 3003,
  validation: 3004,
  escalation: 3005,
};

interface Running {
  child: ChildProcess;
  exited: Promise<number | null>;
}

export class ServiceProcesses {
  private readonly running = new Map<ServiceName, Running>();

  constructor(
    private readonly logDir: string,
    private readonly envFor: (service: ServiceName) => NodeJS.ProcessEnv,
    private readonly portOf: (service: ServiceName) => number,
  ) {
    mkdirSync(logDir, { recursive: true });
  }

  logFile(service: ServiceName): string {
    return `${this.logDir}/${service}.log`;
  }

  /**
   * Starts the service and resolves once its readiness probe answers 200. The deadline is only
   * a backstop for a service that never comes up: on a machine loaded many times over (CI beside
   * other work), six services loading their code at once took more than 90 s.
   */
  async start(service: ServiceName, readyTimeoutMs = 150_000): Promise<void> {
    const log = createWriteStream(this.logFile(service), { flags: 'a' });
    const child = spawn(
      process.execPath,
      ['--import', `${REPO_ROOT}tools/ts-register.mjs`, `services/${service}/src/main.ts`],
      {
        cwd: REPO_ROOT,
        env: this.envFor(service),
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child.stdout!.pipe(log);
    child.stderr!.pipe(log);
    const exited = new Promise<number | null>((resolve) =>
      child.once('exit', (code) => resolve(code)),
    );
    this.running.set(service, { child, exited });
    const deadline = Date.now() + readyTimeoutMs;
    for (;;) {
      if (child.exitCode !== null)
        throw new Error(`${service} exited with ${child.exitCode}; see ${this.logFile(service)}`);
      const status = await fetch(`http://127.0.0.1:${this.portOf(service)}/health/ready`).then(
        (r) => r.status,
        () => 0,
      );
      if (status === 200) return;
      if (Date.now() > deadline)
        throw new Error(
          `${service} not ready after ${readyTimeoutMs} ms; see ${this.logFile(service)}`,
        );
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  async stop(service: ServiceName, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    const running = this.running.get(service);
    if (!running) return null;
    running.child.kill(signal);
    const code = await running.exited;
    this.running.delete(service);
    return code;
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.running.keys()].map((service) => this.stop(service)));
  }
}
