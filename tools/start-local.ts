// `npm run start:distributed`: Baton on this machine in its distributed form — Postgres (started if down),
// the local Kafka broker (unless KAFKA_BROKERS is set), the demo billing data, and the six
// services as separate processes, on ports 3000–3005 or from BATON_PORT_BASE (tools/service-ports.ts).
// Makes fresh development keys (printed, and written to .baton/dev-keys.env for the CLI, as
// `npm start` does) and prints how to fire a trigger. Ctrl-C stops everything it started.
import { fileURLToPath } from 'node:url';
import { devSigningKey } from '../libs/cli/src/dev-keys.js';
import { devApiKeys, saveDevKeys } from './dev-api-keys.js';
import { startDemoHelpdesk } from './demo-helpdesk.js';
import { startConsole, type RunningConsole } from '../services/console/src/start-console.js';
import { portsInUse, servicePorts, type ServicePorts } from './service-ports.js';
import { dataLines } from './start-banner.js';
import pg from 'pg';
import { topicNames } from '@baton/contracts';
import { METRICS_PORT_OFFSET } from '@baton/telemetry';
import { ConfigError } from '@baton/config';
import { splitConnections } from '@baton/persistence';
import {
  SERVICES,
  ServiceProcesses,
  ensureKafka,
  ensurePostgres,
  seedBusinessData,
  stopKafka,
  testDatabaseUrl,
} from '@baton/testing';

const root = fileURLToPath(new URL('../', import.meta.url));
const host = process.env['HOST'] ?? '127.0.0.1';
// The ports first: a bad BATON_PORT_BASE, or a port already taken, stops before anything starts.
let ports: ServicePorts;
try {
  ports = servicePorts(process.env);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(78);
}
const taken = await portsInUse(ports, host);
if (taken.length > 0) {
  process.stderr.write(
    `${taken.length > 1 ? 'ports' : 'port'} ${taken.map((service) => `${ports[service]} (${service})`).join(', ')} already in use on ${host}: ` +
      'stop what listens there (another Baton?) or move all six services with BATON_PORT_BASE, ' +
      `e.g. BATON_PORT_BASE=${ports.trigger < 60_000 ? ports.trigger + 1000 : 4000} npm run start:distributed\n`,
  );
  process.exit(1);
}
await ensurePostgres();
const kafka = await ensureKafka();
const databaseUrl = testDatabaseUrl();
// The demo data goes where the services will read it.
const businessDatabaseUrl = process.env['BUSINESS_DATABASE_URL'] ?? databaseUrl;
await seedBusinessData(businessDatabaseUrl);

// One connection budget for the six processes, checked against the server, split by weight:
// BATON_DB_CONNECTIONS here is the installation's total; by default what the server has free.
const connections = await connectionShares(databaseUrl);

// Development keys, made fresh at each start: shown below and written where the CLI reads them.
const { keys, setting: apiKeys } = devApiKeys(['publisher', 'reviewer', 'admin']);
// The services' record signing key: yours, or this machine's (.baton/signing.key, kept).
const signingKey = process.env['BATON_SIGNING_KEY'] || devSigningKey();

const metricsOff = process.env['BATON_METRICS_PORT'] === '0';
// The help desk help-desk posts its answers to: a demo one on loopback, unless one is named.
const helpdesk = await startDemoHelpdesk(process.env);

const processes = new ServiceProcesses(
  `${root}.baton/logs`,
  (service) => ({
    ...process.env,
    ...helpdesk.env,
    KAFKA_BROKERS: kafka.brokers,
    DATABASE_URL: databaseUrl,
    BUSINESS_DATABASE_URL: businessDatabaseUrl,
    // Each process its share of the one budget; its pools are derived from it.
    BATON_DB_CONNECTIONS: String(connections[service]),
    BATON_API_KEYS: apiKeys,
    BATON_SIGNING_KEY: signingKey,
    PORT: String(ports[service]),
    HOST: host,
    // /metrics follows the HTTP port (9464–9469 by default); BATON_METRICS_PORT=0 turns it off.
    BATON_METRICS_PORT: metricsOff ? '0' : String(ports[service] + METRICS_PORT_OFFSET),
    // The example CRM's leads (workflows/mcp-servers.yaml), kept like the database's rows.
    BATON_EXAMPLE_CRM_FILE:
      process.env['BATON_EXAMPLE_CRM_FILE'] || `${root}.baton/example-crm.jsonl`,
  }),
  (service) => ports[service],
);

let stopping = false;
let webConsole: RunningConsole | undefined;
const stop = async (code: number) => {
  if (stopping) return;
  stopping = true;
  process.stdout.write('\nstopping the services…\n');
  await webConsole?.close();
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
  // The console (docs/console.md) in front of the trigger and escalation APIs, in this process:
  // BATON_CONSOLE_PORT, else the port base + 6 (3006). It logs to this terminal: warnings and
  // errors only, unless LOG_LEVEL says otherwise.
  webConsole = await startConsole(
    {
      ...process.env,
      BATON_API_KEYS: apiKeys,
      HOST: host,
      LOG_LEVEL: process.env['LOG_LEVEL'] || 'warn',
    },
    {
      upstreams: {
        trigger: `http://127.0.0.1:${ports.trigger}`,
        escalation: `http://127.0.0.1:${ports.escalation}`,
      },
      defaultPort: ports.trigger + 6,
    },
  );
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  await stop(1);
}

const keysFile = saveDevKeys(keys);

const names = topicNames(process.env['BATON_TOPIC_PREFIX']);
const trigger = `http://127.0.0.1:${ports.trigger}`;
const escalation = `http://127.0.0.1:${ports.escalation}`;
// The CLI's defaults are the default ports; other ports are named on its command line.
const cliUrls =
  ports.trigger === 3000 ? '' : ` --trigger-url ${trigger} --escalation-url ${escalation}`;
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
    `  trigger API    ${trigger}     escalation API  ${escalation}`,
    `  console        ${webConsole?.url ?? '(not started)'}  (open it in a browser; sign in with a key below)`,
    metricsOff
      ? '  metrics        off (BATON_METRICS_PORT=0)'
      : `  metrics        http://127.0.0.1:${ports.trigger + METRICS_PORT_OFFSET}/metrics … :${ports.escalation + METRICS_PORT_OFFSET}/metrics (docs/observability.md)`,
    `  publisher key  ${keys.publisher}`,
    `  reviewer key   ${keys.reviewer}`,
    `  admin key      ${keys.admin}`,
    `  (the baton CLI reads them from ${keysFile.replace(root, '')})`,
    '',
    'Fire a trigger (the form names the invoice and amount, so the rules decide):',
    `  curl -s -X POST ${trigger}/v1/triggers -H 'authorization: Bearer ${keys.publisher}' -H 'content-type: application/json' \\`,
    `    -d '{"schemaVersion":1,"idempotencyKey":"demo-'$RANDOM'","workflowId":"billing-dispute","tenantId":"acme","eventType":"billing.dispute.opened","data":{"customerId":"cus_1001","invoiceId":"inv_2001","disputedAmount":18,"message":"Charged twice"}}'`,
    'See the run, step by step:',
    `  curl -s ${trigger}/v1/runs/<runId> -H 'authorization: Bearer ${keys.reviewer}'`,
    'Or publish to Kafka:',
    `  kcat -P -b ${kafka.brokers} -t ${names.triggerIngress} -k acme:zendesk-ticket-48213 docs/examples/trigger-event.json`,
    `Review queue: curl -s ${escalation}/v1/tasks -H 'authorization: Bearer ${keys.reviewer}'`,
    `The CLI: npx baton runs${cliUrls}`,
    '',
    'Ctrl-C stops everything this command started.',
    '',
  ].join('\n'),
);
setInterval(() => undefined, 1 << 30);

/**
 * The connections each service may open: BATON_DB_CONNECTIONS (the total for all six) or
 * what the server has free (max_connections − reserved − open − 5 to spare for tools), split
 * so the services with a business pool (context, action) get more. Too little for six
 * processes stops the start, naming the numbers.
 */
async function connectionShares(url: string): Promise<Record<(typeof SERVICES)[number], number>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  let free: { max: number; reserved: number; open: number };
  try {
    free = (
      await client.query<{ max: number; reserved: number; open: number }>(
        `SELECT current_setting('max_connections')::int AS max,
                current_setting('superuser_reserved_connections')::int AS reserved,
                (SELECT count(*)::int FROM pg_stat_activity WHERE backend_type = 'client backend') AS open`,
      )
    ).rows[0]!;
  } finally {
    await client.end();
  }
  const available = free.max - free.reserved - free.open - 5;
  const asked = Number(process.env['BATON_DB_CONNECTIONS'] ?? 0);
  if (asked > available) {
    process.stderr.write(
      `BATON_DB_CONNECTIONS ${asked} is more than the server has free: ${available} (max_connections ${free.max} − ${free.reserved} reserved − ${free.open} open − 5 spare)\n`,
    );
    process.exit(78);
  }
  const split = splitConnections(asked || available, {
    trigger: 3,
    context: 4,
    decision: 3,
    action: 4,
    validation: 2,
    escalation: 2,
  });
  if (!split.ok) {
    process.stderr.write(`not enough database connections for six services: ${split.problem}\n`);
    process.exit(78);
  }
  return split.shares;
}
