// What `npm start` prints once Baton is up (tools/start.ts): where the data lives, the keys, where
// the metrics, the API docs and the stats are, and how to fire the README's sample trigger. A
// function of what was started, so it is tested.
import type { DataLocation } from '../services/embedded/src/embedded-baton.js';

export interface StartBannerInput {
  seconds: number;
  /** `in-process` or `kafka`, as the embedded Baton reports it. */
  transport: string;
  /** KAFKA_BROKERS, when the transport is Kafka. */
  kafkaBrokers?: string | undefined;
  data: { baton: DataLocation; business: DataLocation };
  /** OPENAI_API_KEY is set, and OPENAI_BASE_URL if any. */
  model: { apiKey: boolean; baseUrl?: string | undefined };
  /** The console (web app), when it was started. */
  consoleUrl?: string | undefined;
  triggerUrl: string;
  escalationUrl: string;
  /** The process's Prometheus endpoint; undefined when BATON_METRICS_PORT=0 turned it off. */
  metricsUrl: string | undefined;
  keys: { publisher: string; reviewer: string; admin: string };
  /** Where the CLI reads the keys, as shown (relative to the repository when inside it). */
  keysFile: string;
}

/**
 * A Postgres URL as `host:port/database`, never its user name or password; an address that is
 * not a URL is not shown at all (it could be a key=value string holding a password).
 */
export function postgresAddress(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (!/^postgres(ql)?:$/.test(parsed.protocol)) return undefined;
  // A socket directory goes in `?host=`: `postgres:///test?host=/var/run/postgresql`.
  const host = parsed.host || parsed.searchParams.get('host') || 'localhost';
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  return database ? `${host}/${database}` : host;
}

/** Where one database lives, in words: PGlite in memory or on disk, or the Postgres named. */
export function describeDataLocation(location: DataLocation): string {
  if (location.store === 'pglite') {
    return location.dataDir
      ? `embedded Postgres (PGlite) in ${location.dataDir}`
      : 'embedded Postgres (PGlite, in memory)';
  }
  const address = postgresAddress(location.url);
  return address
    ? `Postgres at ${address} (${location.setting})`
    : `the Postgres at ${location.setting}`;
}

/** The transport, in words. */
export function describeTransport(transport: string, kafkaBrokers?: string): string {
  return transport === 'kafka'
    ? `Kafka at ${kafkaBrokers ?? 'KAFKA_BROKERS'} (KAFKA_BROKERS)`
    : 'in-process transport (in memory)';
}

/** The three lines saying where runs and tasks, the business data and the messages live. */
export function dataLines(input: Pick<StartBannerInput, 'data' | 'transport' | 'kafkaBrokers'>) {
  const { baton, business } = input.data;
  const kept =
    baton.store === 'pglite' && !baton.dataDir
      ? ': gone when Baton stops (BATON_EMBEDDED_DATA_DIR keeps them)'
      : ', kept when Baton stops';
  const inFlight =
    input.transport === 'kafka' ? '' : ': a run between two steps when Baton stops does not resume';
  return [
    `  runs and tasks  ${describeDataLocation(baton)}${kept}`,
    `  business data   ${describeDataLocation(business)}: the example workflows' demo data`,
    `  messages        ${describeTransport(input.transport, input.kafkaBrokers)}${inFlight}`,
  ];
}

/** The whole banner, ending with a newline. */
export function startBanner(input: StartBannerInput): string {
  const { triggerUrl: trigger, escalationUrl: escalation, keys } = input;
  const cliUrls =
    trigger === 'http://127.0.0.1:3000'
      ? ''
      : ` --trigger-url ${trigger} --escalation-url ${escalation}`;
  const model = input.model.apiKey
    ? `decisions ask the model at ${input.model.baseUrl || 'OpenAI (api.openai.com)'}`
    : "no OPENAI_API_KEY: decisions use the workflows' rules only (free text goes to review)";
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
  return [
    '',
    `Baton is up in ${input.seconds.toFixed(1)} s: six services in one process, ${
      input.transport === 'kafka' ? `Kafka at ${input.kafkaBrokers}` : 'in-process transport'
    }, ${describeDataLocation(input.data.baton)}.`,
    ...dataLines(input),
    `Model: ${model}.`,
    '',
    ...(input.consoleUrl
      ? [`  console         ${input.consoleUrl}  (open it in a browser; sign in with a key below)`]
      : []),
    `  trigger API     ${trigger}     escalation API  ${escalation}`,
    `  API docs        ${trigger}/docs  ${escalation}/docs  (OpenAPI, no key)`,
    `  metrics         ${input.metricsUrl ? `${input.metricsUrl}  (Prometheus, no key)` : 'off (BATON_METRICS_PORT=0)'}`,
    `  publisher key   ${keys.publisher}`,
    `  reviewer key    ${keys.reviewer}`,
    `  admin key       ${keys.admin}`,
    `  (the baton CLI reads them from ${input.keysFile})`,
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
    `Outcome stats: npx baton stats${cliUrls}  (or GET ${trigger}/v1/stats with the reviewer key)`,
    '',
    'Ctrl-C stops Baton.',
    '',
  ].join('\n');
}
