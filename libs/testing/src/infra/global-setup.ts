import { testDatabaseUrl, testSigningKey } from './environment.js';
import { ensureKafka, ensureKcat, ensurePostgres, stopKafka } from './local-infra.js';

/**
 * Once per test run: makes sure Postgres answers (starting the local cluster if it is
 * down) and, unless KAFKA_BROKERS points at a broker, starts the project's local Kafka
 * broker (deploy/local/kafka.sh) and stops it again at the end if it started it. Tests
 * also publish with kcat, Debian's real Kafka client; it is installed when missing. Both
 * addresses end up in the environment (`DATABASE_URL`, `KAFKA_BROKERS`), with the services'
 * record signing key (`BATON_SIGNING_KEY`), so a spec that
 * cannot import this library (the libraries it depends on) reads them from there.
 */
export default async function setup(): Promise<() => Promise<void>> {
  await ensurePostgres();
  process.env['DATABASE_URL'] = testDatabaseUrl();
  process.env['BATON_SIGNING_KEY'] = testSigningKey();
  await ensureKcat();
  const kafka = await ensureKafka();
  process.env['KAFKA_BROKERS'] = kafka.brokers;
  return async () => {
    if (kafka.started && !process.env['BATON_KEEP_KAFKA']) await stopKafka();
  };
}
