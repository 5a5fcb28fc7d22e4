// `npm run start:distributed`: Baton on this machine in its distributed form — Postgres (started if down),
// the local Kafka broker (unless KAFKA_BROKERS is set), the demo billing data, and the six
// services as separate processes. Prints how to fire a trigger. Ctrl-C stops everything it started.
import { fileURLToPath } from 'node:url';
import { devApiKeys } from './dev-api-keys.js';
import { dataLines } from './start-banner.js';
import { topicNames } from '@baton/contracts';
import {
  DEFAULT_PORTS,
  SERVICES,
  ServiceProcesses,
  ensureKafka,
  ensurePostgres,
  seedBusinessData,
  stopKafka,
  testDatabaseUrl,
} from '@baton/testing';

const root = fileURLToPath(new URL('../', import.meta.url));
await ensurePostgres();
const kafka = await ensureKafka();
const databaseUrl = testDatabaseUrl();
// The demo data goes where the services will read it.
const businessDatabaseUrl = process.env['BUSINESS_DATABASE_URL'] ?? databaseUrl;
await seedBusinessData(businessDatabaseUrl);

// Development keys, made fresh at each start and shown once below.
const { keys, setting: apiKeys } = devApiKeys(['publisher', 'reviewer']);

const processes = new ServiceProcesses(
  `${root}.baton/logs`,
  (service) => ({
    ...process.env,
    KAFKA_BROKERS: kafka.brokers,
    DATABASE_URL: databaseUrl,
    BUSINESS_DATABASE_URL: businessDatabaseUrl,
    // Six services on one Postgres (max_connections 100 by default): 6 × 10 + the business
    // pools fit; the automatic size (BATON_CONCURRENCY + 4 each) would not.
    DATABASE_POOL_SIZE: process.env['DATABASE_POOL_SIZE'] ?? '10',
    BUSINESS_DATABASE_POOL_SIZE: process.env['BUSINESS_DATABASE_POOL_SIZE'] ?? '4',
    BATON_API_KEYS: apiKeys,
    PORT: String(DEFAULT_PORTS[service]),
    HOST: process.env['HOST'] ?? '127.0.0.1',
  }),
  (service) => DEFAULT_PORTS[service],
);

let stopping = false;
const stop = async (code: number) => {
  if (stopping) return;
  stopping = true;
  process.stdout.write('\nstopping the services…\n');
  await processes.stopAll();
  if (kafka.started) await stopKafka();
  process.exit(code);
};
process.once('SIGINT', () => void stop(0));
process.once('SIGTERM', () => void stop(0));

try {
  process.stdout.write(`starting ${SERVICES.join(', ')} (logs in .baton/logs/)…\n`);
  await processes.start('trigger'); // creates the topics the others subscribe to
  await Promise.all(SERVICES.filter((s) => s !== 'trigger').map((s) => processes.start(s)));
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  await stop(1);
}

const names = topicNames(process.env['BATON_TOPIC_PREFIX']);
const trigger = `http://127.0.0.1:${DEFAULT_PORTS.trigger}`;
const escalation = `http://127.0.0.1:${DEFAULT_PORTS.escalation}`;
const model = process.env['OPENAI_API_KEY']
  ? `model via ${process.env['OPENAI_BASE_URL'] ?? 'OpenAI'}`
  : "no OPENAI_API_KEY: decisions use the workflows' rules only";
process.stdout.write(
  [
    '',
    `Baton is up: six services, Kafka at ${kafka.brokers}, ${model}.`,
    ...dataLines({
      transport: 'kafka',
      kafkaBrokers: kafka.brokers,
      data: {
        baton: { store: 'postgres', url: databaseUrl, setting: 'DATABASE_URL' },
        business: process.env['BUSINESS_DATABASE_URL']
          ? { store: 'postgres', url: businessDatabaseUrl, setting: 'BUSINESS_DATABASE_URL' }
          : { store: 'postgres', url: databaseUrl, setting: 'DATABASE_URL' },
      },
    }).slice(0, 2), // the first line names Kafka
    '',
    `  publisher key  ${keys.publisher}`,
    `  reviewer key   ${keys.reviewer}`,
    '',
    'Fire a trigger (the form names the invoice and amount, so the rules decide):',
    `  curl -s -X POST ${trigger}/v1/triggers -H 'authorization: Bearer ${keys.publisher}' -H 'content-type: application/json' \\`,
    `    -d '{"schemaVersion":1,"idempotencyKey":"demo-'$RANDOM'","workflowId":"billing-dispute","tenantId":"acme","eventType":"billing.dispute.opened","data":{"customerId":"cus_1001","invoiceId":"inv_2001","disputedAmount":18,"message":"Charged twice"}}'`,
    'See the run, step by step:',
    `  curl -s ${trigger}/v1/runs/<runId> -H 'authorization: Bearer ${keys.reviewer}'`,
    'Or publish to Kafka:',
    `  kcat -P -b ${kafka.brokers} -t ${names.triggerIngress} -k acme:zendesk-ticket-48213 docs/examples/trigger-event.json`,
    `Review queue: curl -s ${escalation}/v1/tasks -H 'authorization: Bearer ${keys.reviewer}'`,
    '',
    'Ctrl-C stops everything this command started.',
    '',
  ].join('\n'),
);
setInterval(() => undefined, 1 << 30);
