// `npm start` (and `baton dev`): Baton on this machine in ONE process — the six services with
// the in-process transport and an embedded Postgres (PGlite), unless KAFKA_BROKERS /
// DATABASE_URL are set, in which case it uses them. Seeds the example workflows' business data,
// makes fresh development keys (printed, and written to .baton/dev-keys.env for the CLI) and
// prints where the data lives, where metrics, API docs and stats are, and how to fire a sample
// trigger (tools/start-banner.ts). Ctrl-C
// drains and stops. The distributed form (six processes on Kafka and Postgres) is
// `npm run start:distributed` (tools/start-local.ts).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@baton/config';
import { ServiceConfig } from '@baton/service-kit';
import { metricsPort } from '@baton/telemetry';
import { seedBusinessData } from '@baton/testing';
import { devSigningKey } from '../libs/cli/src/dev-keys.js';
import { devApiKeys, saveDevKeys } from './dev-api-keys.js';
import { startDemoHelpdesk } from './demo-helpdesk.js';
import { startEmbeddedBaton, stopOnSignals } from '../services/embedded/src/embedded-baton.js';
import { startBanner } from './start-banner.js';

const started = Date.now();
// Development keys, made fresh at each start.
const { keys, setting: apiKeys } = devApiKeys(['publisher', 'reviewer', 'admin']);

// The example CRM (lead-qualification's MCP server, workflows/mcp-servers.yaml) keeps its leads
// with the data: in BATON_EMBEDDED_DATA_DIR, else in a file of this start's own.
const dataDir = process.env['BATON_EMBEDDED_DATA_DIR'];
const crmFile =
  process.env['BATON_EXAMPLE_CRM_FILE'] ||
  join(dataDir || mkdtempSync(join(tmpdir(), 'baton-crm-')), 'example-crm.jsonl');

// The help desk help-desk posts its answers to: a demo one on loopback, unless one is named.
const helpdesk = await startDemoHelpdesk(process.env);

const baton = await startEmbeddedBaton({
  env: {
    ...process.env,
    ...helpdesk.env,
    BATON_EXAMPLE_CRM_FILE: crmFile,
    BATON_API_KEYS: apiKeys,
    // Over Kafka (KAFKA_BROKERS set) records are signed; in-process they need no key.
    ...(process.env['KAFKA_BROKERS'] && !process.env['BATON_SIGNING_KEY']
      ? { BATON_SIGNING_KEY: devSigningKey() }
      : {}),
    HOST: process.env['HOST'] || '127.0.0.1',
    // Warnings and errors only, so the instructions below stay readable; LOG_LEVEL=info for all.
    LOG_LEVEL: process.env['LOG_LEVEL'] || 'warn',
  },
  beforeServices: ({ businessDatabaseUrl }) => seedBusinessData(businessDatabaseUrl),
  console: true,
});
stopOnSignals(baton, () => process.stdout.write('\nstopping Baton (draining)…\n'));
const keysFile = saveDevKeys(keys);

const url = (name: string) => baton.services.find((s) => s.name === name)!.url;
// The process's one /metrics, where embedded Baton opens it: the trigger's port + 6464 by default.
const trigger = new URL(url('trigger'));
const metrics = metricsPort(
  loadConfig(ServiceConfig, process.env, 'embedded').metricsPort,
  Number(trigger.port),
);
process.stdout.write(
  startBanner({
    seconds: (Date.now() - started) / 1000,
    transport: baton.transport,
    kafkaBrokers: process.env['KAFKA_BROKERS'],
    data: baton.data,
    model: { apiKey: !!process.env['OPENAI_API_KEY'], baseUrl: process.env['OPENAI_BASE_URL'] },
    consoleUrl: baton.consoleUrl,
    triggerUrl: url('trigger'),
    escalationUrl: url('escalation'),
    metricsUrl: metrics > 0 ? `http://${trigger.hostname}:${metrics}/metrics` : undefined,
    keys,
    keysFile: keysFile.replace(process.cwd() + '/', ''),
  }),
);
if (helpdesk.url)
  process.stdout.write(
    `help-desk posts its answers to a demo help desk at ${helpdesk.url} (BATON_ENDPOINTS helpdesk=… names your own)\n`,
  );
