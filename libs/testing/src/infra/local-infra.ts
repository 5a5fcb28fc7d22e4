import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import pg from 'pg';
import { ensureDebianPackage } from './debian-package.js';
import { REPO_ROOT, testDatabaseUrl } from './environment.js';

const run = promisify(execFile);

/**
 * Local infrastructure for tests and `npm start`: Postgres (started if the local cluster is
 * down), the project's Kafka broker (deploy/local/kafka.sh) and kcat.
 */

/** Starts the local broker unless KAFKA_BROKERS is set; true when this call started it. */
export async function ensureKafka(): Promise<{ brokers: string; started: boolean }> {
  if (process.env['KAFKA_BROKERS'])
    return { brokers: process.env['KAFKA_BROKERS'], started: false };
  const brokers = `127.0.0.1:${process.env['KAFKA_PORT'] ?? '9092'}`;
  const running = await run('bash', ['deploy/local/kafka.sh', 'status'], { cwd: REPO_ROOT }).then(
    () => true,
    () => false,
  );
  if (!running) {
    process.stdout.write('starting the local Kafka broker (deploy/local/kafka.sh start)…\n');
    await run('bash', ['deploy/local/kafka.sh', 'start'], { cwd: REPO_ROOT, timeout: 600_000 });
  }
  return { brokers, started: !running };
}

export async function stopKafka(): Promise<void> {
  await run('bash', ['deploy/local/kafka.sh', 'stop'], { cwd: REPO_ROOT });
}

export async function ensurePostgres(): Promise<void> {
  if (await canConnect()) return;
  if (process.env['DATABASE_URL']) {
    throw new Error(`DATABASE_URL is set but Postgres does not answer there`);
  }
  process.stdout.write('Postgres is down; starting the local cluster…\n');
  const { stdout } = await run('ls', ['/etc/postgresql']);
  const version = stdout.trim().split('\n')[0];
  await run('pg_ctlcluster', ['--skip-systemctl-redirect', version!, 'main', 'start']);
  for (let i = 0; i < 50; i++) {
    if (await canConnect()) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error('Postgres did not come up');
}

async function canConnect(): Promise<boolean> {
  const client = new pg.Client({
    connectionString: testDatabaseUrl(),
    connectionTimeoutMillis: 2_000,
  });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** kcat, the Kafka client the tests check topics with, installed when missing. */
export async function ensureKcat(): Promise<void> {
  await ensureDebianPackage('kcat', { command: 'kcat', args: ['-V'] });
}
