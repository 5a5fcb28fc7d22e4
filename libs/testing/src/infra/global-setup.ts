import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import pg from 'pg';
import { REPO_ROOT, testDatabaseUrl } from './environment.js';

const run = promisify(execFile);

/**
 * Once per test run: makes sure Postgres answers (starting the local cluster if it is
 * down) and, unless KAFKA_BROKERS points at a broker, starts the project's local Kafka
 * broker (deploy/local/kafka.sh) and stops it again at the end if it started it.
 */
export default async function setup(): Promise<() => Promise<void>> {
  await ensurePostgres();
  let startedKafka = false;
  if (!process.env['KAFKA_BROKERS']) {
    const status = await run('bash', ['deploy/local/kafka.sh', 'status'], { cwd: REPO_ROOT }).then(
      () => true,
      () => false,
    );
    if (!status) {
      process.stdout.write('starting the local Kafka broker (deploy/local/kafka.sh start)…\n');
      await run('bash', ['deploy/local/kafka.sh', 'start'], { cwd: REPO_ROOT, timeout: 600_000 });
      startedKafka = true;
    }
    process.env['KAFKA_BROKERS'] = `127.0.0.1:${process.env['KAFKA_PORT'] ?? '9092'}`;
  }
  return async () => {
    if (startedKafka && !process.env['BATON_KEEP_KAFKA']) {
      await run('bash', ['deploy/local/kafka.sh', 'stop'], { cwd: REPO_ROOT });
    }
  };
}

async function ensurePostgres(): Promise<void> {
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
  const client = new pg.Client({ connectionString: testDatabaseUrl(), connectionTimeoutMillis: 2_000 });
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
