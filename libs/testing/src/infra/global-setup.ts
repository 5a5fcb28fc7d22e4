import { testDatabaseUrl, testSigningKey } from './environment.js';
import { Kafka, logLevel } from 'kafkajs';
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
  await awaitGroupCoordinator(kafka.brokers);
  return async () => {
    if (kafka.started && !process.env['BATON_KEEP_KAFKA']) await stopKafka();
  };
}

/**
 * A fresh broker creates its group coordinator (the __consumer_offsets topic) on the first
 * request for one, which takes a while on a loaded machine; a suite whose first consumer asks
 * then can fail its group join. Asked here once, until it answers, before any suite starts.
 */
async function awaitGroupCoordinator(brokers: string): Promise<void> {
  const admin = new Kafka({
    clientId: 'baton-tests-setup',
    brokers: brokers.split(','),
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  try {
    const deadline = Date.now() + 120_000;
    for (;;) {
      try {
        await admin.describeGroups(['baton-tests-setup']);
        return;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  } finally {
    await admin.disconnect();
  }
}
