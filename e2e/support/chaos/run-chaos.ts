// The fault suite: a stream of billing-dispute runs through the six services, distributed over
// Kafka, while every service is killed with SIGKILL and restarted, the broker is stopped and
// started, and the database is restarted the way a crash would (immediate stop). Everything it
// uses is its own — a Postgres cluster (initdb) and a Kafka broker on free ports in a temporary
// directory — and loopback only; it is bounded in runs and time and stops by itself. Then it
// counts: accepted triggers against runs in the ledger (lost), ended or waiting runs against
// runs still running after the settle time (stuck), business writes made twice, dead letters.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import {
  OwnKafkaBroker,
  SERVICES,
  ServiceProcesses,
  bearer,
  seedBusinessData,
  stablePort,
  testApiKeysSetting,
  type ServiceName,
} from '@baton/testing';
import { OwnPostgres } from './own-postgres.js';

export interface ChaosOptions {
  /** Runs to start. */
  runs: number;
  /** Triggers sent per second (each retried with its own key until accepted). */
  ratePerSecond: number;
  /** Rounds of faults: each kills every service once, then restarts the broker and the database. */
  faultRounds: number;
  /** After the last trigger and fault, how long runs may take to end before they count as stuck. */
  settleSeconds: number;
  /** Progress lines go here. */
  log: (line: string) => void;
}

export interface ChaosResult {
  runs: number;
  accepted: number;
  inLedger: number;
  lost: number;
  ended: number;
  waitingForReview: number;
  stuck: number;
  byStatus: Record<string, number>;
  duplicateWrites: number;
  /** Each write made twice: the table, the run and the writes' idempotency keys. */
  duplicates: string[];
  deadLetters: number;
  faults: { kills: number; brokerRestarts: number; databaseRestarts: number };
  seconds: number;
  /** Where the services' logs are (kept when something is wrong). */
  logDir: string;
}

const PREFIX = 'chaos.';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function runChaos(options: ChaosOptions): Promise<ChaosResult> {
  const started = Date.now();
  const root = mkdtempSync(join(tmpdir(), 'baton-chaos-'));
  const { log } = options;
  log(
    `chaos: ${options.runs} runs at ${options.ratePerSecond}/s, ${options.faultRounds} fault rounds; workspace ${root}`,
  );
  const postgres = await OwnPostgres.start(root, await stablePort());
  const broker = await OwnKafkaBroker.start();
  log(`chaos: own Postgres on ${postgres.port}, own Kafka on ${broker.address}`);
  await seedBusinessData(postgres.url);

  const ports = {} as Record<ServiceName, number>;
  // Killed services listen again on their port: one outside the ephemeral range.
  for (const service of SERVICES) ports[service] = await stablePort(new Set(Object.values(ports)));
  const signingKey = randomBytes(32).toString('hex');
  const processes = new ServiceProcesses(
    join(root, 'logs'),
    (service) => ({
      PATH: process.env['PATH'] ?? '',
      HOME: process.env['HOME'] ?? '/tmp',
      NODE_ENV: 'production',
      KAFKA_BROKERS: broker.address,
      DATABASE_URL: postgres.url,
      BUSINESS_DATABASE_URL: postgres.url,
      BATON_SIGNING_KEY: signingKey,
      BATON_API_KEYS: testApiKeysSetting(),
      BATON_TOPIC_PREFIX: PREFIX,
      PORT: String(ports[service]),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      BATON_CONCURRENCY: '8',
      BATON_RATE_LIMIT_PER_MINUTE: '0',
      BATON_DB_STARTUP_WAIT_MS: '120000',
      BATON_OUTBOX_SWEEP_GRACE_MS: '1000',
      // A killed member's partitions move after 6 s, not 30.
      KAFKA_SESSION_TIMEOUT_MS: '6000',
      KAFKA_HEARTBEAT_INTERVAL_MS: '500',
    }),
    (service) => ports[service],
  );
  const trigger = `http://127.0.0.1:${ports.trigger}`;
  let result: ChaosResult | undefined;
  try {
    await processes.start('trigger');
    await Promise.all(SERVICES.filter((s) => s !== 'trigger').map((s) => processes.start(s)));
    log('chaos: six services ready');

    const accepted = new Map<string, string>(); // idempotency key -> run id
    const load = (async () => {
      const sends: Promise<void>[] = [];
      for (let i = 0; i < options.runs; i++) {
        sends.push(submit(trigger, `chaos-${i}`, accepted));
        await sleep(1000 / options.ratePerSecond);
      }
      await Promise.all(sends);
    })();
    const faults = { kills: 0, brokerRestarts: 0, databaseRestarts: 0 };
    const faulting = (async () => {
      await sleep(2_000);
      for (let round = 1; round <= options.faultRounds; round++) {
        for (const service of SERVICES) {
          await processes.stop(service, 'SIGKILL');
          faults.kills += 1;
          await sleep(1_000);
          await processes.start(service, 180_000);
          log(`chaos: round ${round}: ${service} killed (SIGKILL) and back`);
          await sleep(1_500);
        }
        await broker.script('stop');
        await sleep(5_000);
        await broker.script('start');
        faults.brokerRestarts += 1;
        log(`chaos: round ${round}: broker stopped for 5 s and started`);
        await sleep(2_000);
        await postgres.restart();
        faults.databaseRestarts += 1;
        log(`chaos: round ${round}: database restarted (immediate stop)`);
        await sleep(2_000);
      }
    })();
    await Promise.all([load, faulting]);
    log(`chaos: ${accepted.size} of ${options.runs} triggers accepted; settling`);

    const db = new pg.Client({ connectionString: postgres.url });
    await db.connect();
    try {
      const statuses = async () =>
        (
          await db.query<{ key: string; status: string }>(
            `SELECT idempotency_key AS key, status FROM trigger.runs`,
          )
        ).rows;
      const deadline = Date.now() + options.settleSeconds * 1000;
      let rows = await statuses();
      while (rows.some((r) => r.status === 'running') && Date.now() < deadline) {
        await sleep(2_000);
        rows = await statuses();
      }
      const byStatus: Record<string, number> = {};
      const known = new Set(rows.map((r) => r.key));
      for (const row of rows) byStatus[row.status] = (byStatus[row.status] ?? 0) + 1;
      // A write made twice: two rows of one run in a table the run writes once.
      const duplicates = (
        await db.query<{ table: string; run: string; keys: string[] }>(
          `SELECT 'credits' AS table, split_part(idempotency_key, ':', 1) AS run,
                  array_agg(idempotency_key ORDER BY idempotency_key) AS keys
             FROM billing.credits WHERE idempotency_key ~ '^[0-9a-f-]{36}:'
            GROUP BY 2 HAVING count(*) > 1
           UNION ALL
           SELECT 'replies', split_part(idempotency_key, ':', 1),
                  array_agg(idempotency_key ORDER BY idempotency_key)
             FROM billing.replies WHERE idempotency_key ~ '^[0-9a-f-]{36}:'
            GROUP BY 2 HAVING count(*) > 1`,
        )
      ).rows.map((row) => `${row.table}: run ${row.run}, keys ${row.keys.join(' ')}`);
      const inLedger = [...accepted.keys()].filter((key) => known.has(key)).length;
      const waiting = byStatus['waiting-for-review'] ?? 0;
      const stuck = byStatus['running'] ?? 0;
      result = {
        runs: options.runs,
        accepted: accepted.size,
        inLedger,
        lost: accepted.size - inLedger,
        ended: rows.length - waiting - stuck,
        waitingForReview: waiting,
        stuck,
        byStatus,
        duplicateWrites: duplicates.length,
        duplicates,
        deadLetters: await deadLetterCount(broker.address),
        faults,
        seconds: Math.round((Date.now() - started) / 1000),
        logDir: join(root, 'logs'),
      };
    } finally {
      await db.end();
    }
    return result;
  } finally {
    await processes.stopAll();
    await broker.remove();
    await postgres.remove();
    const clean = result && result.lost === 0 && result.stuck === 0 && result.duplicateWrites === 0;
    if (clean) rmSync(root, { recursive: true, force: true });
  }
}

/** Sends one trigger until the trigger service accepts it (a down service, a 503: again). */
async function submit(url: string, key: string, accepted: Map<string, string>): Promise<void> {
  const body = JSON.stringify({
    schemaVersion: 1,
    idempotencyKey: key,
    workflowId: 'billing-dispute',
    // A tenant per run: the workflow's effect limits count per tenant and invoice.
    tenantId: `chaos-${key}`,
    eventType: 'billing.dispute.opened',
    data: {
      customerId: 'cus_1001',
      invoiceId: 'inv_2001',
      disputedAmount: 18,
      message: 'Charged twice',
    },
  });
  for (let attempt = 1; attempt <= 120; attempt++) {
    try {
      const response = await fetch(`${url}/v1/triggers`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...bearer('publisher') },
        body,
        signal: AbortSignal.timeout(10_000),
      });
      if (response.status === 202 || response.status === 200) {
        accepted.set(key, ((await response.json()) as { runId: string }).runId);
        return;
      }
      if (response.status < 500 && response.status !== 429)
        throw new Error(`trigger ${key}: ${response.status} ${await response.text()}`);
    } catch (error) {
      if (error instanceof Error && error.message.startsWith('trigger ')) throw error;
    }
    await sleep(Math.min(250 * attempt, 2_000));
  }
}

/** Records on every dead-letter topic of the chaos prefix. */
async function deadLetterCount(address: string): Promise<number> {
  const admin = new Kafka({
    clientId: 'chaos',
    brokers: [address],
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter(
      (t) => t.startsWith(PREFIX) && t.endsWith('.dlq'),
    );
    let total = 0;
    for (const topic of topics)
      for (const partition of await admin.fetchTopicOffsets(topic))
        total += Number(partition.high) - Number(partition.low);
    return total;
  } finally {
    await admin.disconnect();
  }
}

/** The result as the table the docs quote. */
export function chaosTable(result: ChaosResult): string {
  const rows: Array<[string, string]> = [
    ['runs sent', String(result.runs)],
    ['accepted (202/200)', String(result.accepted)],
    ['in the run ledger', String(result.inLedger)],
    ['lost', String(result.lost)],
    [
      'ended',
      `${result.ended} (${Object.entries(result.byStatus)
        .map(([s, n]) => `${s} ${n}`)
        .join(', ')})`,
    ],
    ['waiting for review', String(result.waitingForReview)],
    ['stuck (running after settling)', String(result.stuck)],
    ['business writes made twice', String(result.duplicateWrites)],
    ['dead letters', String(result.deadLetters)],
    ['services killed (SIGKILL)', String(result.faults.kills)],
    ['broker restarts', String(result.faults.brokerRestarts)],
    ['database restarts', String(result.faults.databaseRestarts)],
    ['seconds', String(result.seconds)],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  return rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`).join('\n');
}
