// `npm start`: brings up Baton's local ground — Postgres (started if down), the Kafka
// broker (unless KAFKA_BROKERS is set) — and creates every Baton topic, so services and
// upstream systems can connect. It stays in the foreground; Ctrl-C stops the broker it started.
import { allTopics, topicNames } from '@baton/contracts';
import { loadConfig } from '@baton/config';
import { MessagingConfig, createTransport } from '@baton/messaging';
import { createLogger } from '@baton/telemetry';
import { ensureKafka, ensurePostgres, stopKafka, testDatabaseUrl } from '@baton/testing';

const logger = createLogger({ service: 'baton-start', version: '0.1.0', level: 'warn' });
await ensurePostgres();
const kafka = await ensureKafka();
const config = loadConfig(MessagingConfig, { ...process.env, KAFKA_BROKERS: kafka.brokers });
const transport = createTransport(config, 'baton-start', logger);
const names = topicNames(config.topicPrefix);
const topics = allTopics(names);
await transport.ensureTopics(
  topics.map((topic) => ({ topic, compacted: topic === names.workflowDefinitions })),
);
await transport.close();

const database = new URL(testDatabaseUrl());
database.password = '';
process.stdout.write(
  [
    '',
    'Baton infrastructure is up.',
    `  Kafka     ${kafka.brokers}${kafka.started ? ' (local broker, deploy/local/kafka.sh)' : ''}`,
    `  Postgres  ${database.host}${database.pathname}`,
    `  Topics    ${topics.length}, prefix "${config.topicPrefix}"; upstream systems publish to ${names.triggerIngress}`,
    '',
    'Publish a trigger event (contract: docs/contracts.md):',
    `  kcat -P -b ${kafka.brokers} -t ${names.triggerIngress} -k acme:zendesk-ticket-48213 docs/examples/trigger-event.json`,
    '',
    kafka.started ? 'Ctrl-C stops the broker.' : 'Ctrl-C exits.',
    '',
  ].join('\n'),
);

const stop = async () => {
  if (kafka.started) await stopKafka();
  process.exit(0);
};
process.once('SIGINT', () => void stop());
process.once('SIGTERM', () => void stop());
setInterval(() => undefined, 1 << 30);
