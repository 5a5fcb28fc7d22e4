// `npm start` (and `baton dev`): Baton on this machine in ONE process — the six services with
// the in-process transport and an embedded Postgres (PGlite), unless KAFKA_BROKERS /
// DATABASE_URL are set, in which case it uses them. Seeds the example workflows' business data,
// makes fresh development keys (printed, and written to .baton/dev-keys.env for the CLI) and
// prints how to fire a sample trigger. Ctrl-C drains and stops. The distributed form (six
// processes on Kafka and Postgres) is `npm run start:distributed` (tools/start-local.ts).
import { seedBusinessData } from '@baton/testing';
import { DEV_KEYS_FILE, writeDevKeys } from '../libs/cli/src/dev-keys.js';
import { devApiKeys } from './dev-api-keys.js';
import { startEmbeddedBaton, stopOnSignals } from '../services/embedded/src/embedded-baton.js';

const started = Date.now();
// Development keys, made fresh at each start.
const { keys, setting: apiKeys } = devApiKeys(['publisher', 'reviewer', 'admin']);

const baton = await startEmbeddedBaton({
  env: {
    ...process.env,
    BATON_API_KEYS: apiKeys,
    HOST: process.env['HOST'] || '127.0.0.1',
    // Warnings and errors only, so the instructions below stay readable; LOG_LEVEL=info for all.
    LOG_LEVEL: process.env['LOG_LEVEL'] || 'warn',
  },
  beforeServices: ({ businessDatabaseUrl }) => seedBusinessData(businessDatabaseUrl),
});
stopOnSignals(baton, () => process.stdout.write('\nstopping Baton (draining)…\n'));
// BATON_DEV_KEYS_FILE: elsewhere (tests), so a developer's own file is left alone.
const keysFile = process.env['BATON_DEV_KEYS_FILE'] || DEV_KEYS_FILE;
writeDevKeys(
  {
    BATON_API_KEY: keys.admin,
    BATON_REVIEWER_KEY: keys.reviewer,
    BATON_PUBLISHER_KEY: keys.publisher,
  },
  keysFile,
);

const url = (name: string) => baton.services.find((s) => s.name === name)!.url;
const trigger = url('trigger');
const escalation = url('escalation');
const cliUrls =
  trigger === 'http://127.0.0.1:3000'
    ? ''
    : ` --trigger-url ${trigger} --escalation-url ${escalation}`;
const model = process.env['OPENAI_API_KEY']
  ? `decisions ask the model at ${process.env['OPENAI_BASE_URL'] || 'OpenAI (api.openai.com)'}`
  : "no OPENAI_API_KEY: decisions use the workflows' rules only (free text goes to review)";
const transport =
  baton.transport === 'kafka' ? `Kafka at ${process.env['KAFKA_BROKERS']}` : 'in-process transport';
const database =
  baton.database === 'embedded'
    ? `embedded Postgres (PGlite, ${process.env['BATON_EMBEDDED_DATA_DIR'] ? `data in ${process.env['BATON_EMBEDDED_DATA_DIR']}` : 'in memory'})`
    : 'Postgres at DATABASE_URL';
const event = JSON.stringify({
  schemaVersion: 1,
  idempotencyKey: 'demo-IDEMPOTENCY',
  workflowId: 'billing-dispute',
  tenantId: 'acme',
  eventType: 'billing.dispute.opened',
  data: {
    customerId: 'cus_1001',
    invoiceId: 'inv_2001',
    disputedAmount: 18,
    message: 'Charged twice',
  },
}).replace('IDEMPOTENCY', `'$RANDOM'`);
process.stdout.write(
  [
    '',
    `Baton is up in ${((Date.now() - started) / 1000).toFixed(1)} s: six services in one process, ${transport}, ${database}.`,
    `Model: ${model}.`,
    '',
    `  trigger API     ${trigger}     escalation API  ${escalation}`,
    `  publisher key   ${keys.publisher}`,
    `  reviewer key    ${keys.reviewer}`,
    `  admin key       ${keys.admin}`,
    `  (the baton CLI reads them from ${keysFile.replace(process.cwd() + '/', '')})`,
    '',
    'Fire a sample trigger (the form names the invoice and amount, so the rules decide):',
    `  curl -s -X POST ${trigger}/v1/triggers -H 'authorization: Bearer ${keys.publisher}' -H 'content-type: application/json' \\`,
    `    -d '${event}'`,
    'See that run, step by step (runId from the answer above):',
    `  curl -s ${trigger}/v1/runs/<runId> -H 'authorization: Bearer ${keys.reviewer}'`,
    '  npx baton run <runId>' + cliUrls,
    'Or with the CLI, firing and following in one go:',
    `  npx baton trigger billing-dispute --tenant acme --data '{"customerId":"cus_1001","invoiceId":"inv_2001","disputedAmount":18,"message":"Charged twice"}' --wait${cliUrls}`,
    `Review queue: npx baton tasks${cliUrls}`,
    '',
    'Ctrl-C stops Baton (in memory: runs and tasks are gone at exit unless BATON_EMBEDDED_DATA_DIR is set).',
    '',
  ].join('\n'),
);
