import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT, stablePort } from './infra/environment.js';

const run = promisify(execFile);

/**
 * A broker of one test's own (deploy/local/kafka.sh on free ports and a temporary data dir), to
 * stop and start, or to start with SASL users and ACLs (`env`: KAFKA_SASL_USERS, KAFKA_ACLS),
 * leaving the broker every other test uses alone.
 */
export class OwnKafkaBroker {
  private constructor(
    readonly address: string,
    private readonly env: NodeJS.ProcessEnv,
    private readonly dir: string,
  ) {}

  static async start(env: Record<string, string> = {}): Promise<OwnKafkaBroker> {
    const port = await stablePort();
    const dir = mkdtempSync(join(tmpdir(), 'baton-own-kafka-'));
    const broker = new OwnKafkaBroker(
      `127.0.0.1:${port}`,
      {
        ...process.env,
        ...env,
        KAFKA_PORT: String(port),
        KAFKA_CONTROLLER_PORT: String(await stablePort(new Set([port]))),
        KAFKA_DATA_DIR: dir,
      },
      dir,
    );
    await broker.script('start');
    return broker;
  }

  async script(command: 'start' | 'stop'): Promise<void> {
    await run('bash', ['deploy/local/kafka.sh', command], { cwd: REPO_ROOT, env: this.env });
    if (command === 'start')
      await run('bash', ['deploy/local/kafka.sh', 'wait'], { cwd: REPO_ROOT, env: this.env });
  }

  /** Stops the broker and deletes its data. */
  async remove(): Promise<void> {
    await this.script('stop').catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
