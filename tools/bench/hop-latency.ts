// `npm run bench:hop`: produce→consume hop latency of Baton's messaging on the real local
// broker and Postgres (loopback only; bounded: it stops by itself, ~2-3 minutes).
//
//   A  "hop through the runtime": a runtime handles topic X and `ctx.emit`s the next envelope
//      to topic Y; a second runtime consumes Y. Latency = from the upstream handler's emit to
//      the downstream handler being invoked: outbox insert, commit, publish (acks=all), broker,
//      fetch, decode/validate, inbox claim.
//   B  "raw transport": KafkaTransport.publish → KafkaTransport.subscribe handler, no database.
//   A again with KAFKA_MAX_WAIT_MS=5000 (kafkajs' own default), sequential with pauses.
//
// Every runtime uses MessagingConfig's defaults (KAFKA_MAX_WAIT_MS=100, BATON_CONCURRENCY=32, …)
// except KAFKA_BROKERS and, for the comparison, KAFKA_MAX_WAIT_MS. Sequential runs send one
// envelope, wait for it downstream, pause 0..BENCH_PAUSE_MAX_MS, and send the next.
// Throughput runs feed BENCH_TP_ENVELOPES envelopes across BENCH_TP_RUNS runs as fast as the
// feeder can, and report envelopes/s from the first send to the last downstream arrival.
//
// Besides latency percentiles and envelopes/s, each row records a breakdown of the hop (time
// stamps around KafkaTransport.publish and delivery), the downstream group's commit lag (last
// handler call → offsets committed), CPU use (this process, the whole machine) and, per
// scenario, how long each service takes to stop. Both runtimes and the feeder share this one
// Node process, so their clocks agree; on a small machine they also share its cores.
//
// Needs the broker (`npm run kafka -- start`) and Postgres (DATABASE_URL, else
// postgres://postgres@127.0.0.1:5432/test). Unique topics and fresh schemas per run; schemas
// and topics are dropped at the end. Writes the table to stdout, kafkajs/pino logs to stderr,
// and JSON to BENCH_OUT (default docs/benchmarks/hop-latency.json).
//
// Knobs (environment): KAFKA_BROKERS (127.0.0.1:9092), BENCH_WARMUP (50), BENCH_N (500),
// BENCH_SLOW_WARMUP (50), BENCH_SLOW_N (500), BENCH_SLOW_MAX_WAIT_MS (5000),
// BENCH_PAUSE_MAX_MS (100), BENCH_TP_ENVELOPES (5000), BENCH_TP_RUNS (500), BENCH_PARTITIONS (6),
// BENCH_SCENARIO_BUDGET_MS (60000: a sequential run stops measuring after this long),
// BENCH_ORDER (A,B,A-slow: the scenarios, in this order), BENCH_OUT, LOG_LEVEL (warn).
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { dirname, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { format, resolveConfig } from 'prettier';
import { aContextEnvelope, aDecisionEnvelope, type StepEnvelope } from '@baton/contracts';
import { loadConfig } from '@baton/config';
import {
  KafkaTransport,
  MESSAGING_MIGRATIONS,
  MessagingConfig,
  MessagingRuntime,
  stepEnvelopeCodec,
  type KafkaTransportOptions,
  type OutboundRecord,
  type Route,
  type SubscribeOptions,
  type Subscription,
  type SubscriptionStats,
} from '@baton/messaging';
import { openDatabase } from '@baton/persistence';
import { createLogger, type Logger } from '@baton/telemetry';
import type { Admin } from 'kafkajs';
import {
  TestKafka,
  freshSchema,
  testDatabaseUrl,
  uniqueTopic,
  type TestSchema,
} from '@baton/testing';

const env = (name: string, fallback: number): number => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a number >= 0`);
  return value;
};

process.env['KAFKA_BROKERS'] ||= '127.0.0.1:9092';
const BROKERS = process.env['KAFKA_BROKERS'];
const SETTINGS = {
  warmup: env('BENCH_WARMUP', 50),
  n: env('BENCH_N', 500),
  slowWarmup: env('BENCH_SLOW_WARMUP', 50),
  slowN: env('BENCH_SLOW_N', 500),
  slowMaxWaitMs: env('BENCH_SLOW_MAX_WAIT_MS', 5_000),
  pauseMaxMs: env('BENCH_PAUSE_MAX_MS', 100),
  throughputEnvelopes: env('BENCH_TP_ENVELOPES', 5_000),
  throughputRuns: Math.max(1, env('BENCH_TP_RUNS', 500)),
  feedChunk: 500,
  partitions: Math.max(1, env('BENCH_PARTITIONS', 6)),
  scenarioBudgetMs: env('BENCH_SCENARIO_BUDGET_MS', 60_000),
  roundTimeoutMs: 30_000,
  order: (process.env['BENCH_ORDER'] || 'A,B,A-slow').split(',').map((s) => s.trim()),
};
const OUT = resolve(process.env['BENCH_OUT'] ?? 'docs/benchmarks/hop-latency.json');
const KAFKA_VERSION = process.env['KAFKA_VERSION'] ?? '4.4.0';
const DEFAULT_MAX_WAIT_MS = loadConfig(MessagingConfig, {}).maxWaitTimeMs;

// A run that hangs (broker gone, group never joins) must still end.
const watchdog = setTimeout(() => {
  process.stderr.write('hop-latency: gave up after 6 minutes\n');
  process.exit(2);
}, 360_000);
watchdog.unref();

// ---------------------------------------------------------------------------------------------
// Logs: pino lines go to stderr (stdout is for the table), counted by level.

const logCounts = { warn: 0, error: 0 };
const logMessages = new Map<string, number>();
const logger: Logger = createLogger({
  service: 'bench-hop-latency',
  version: 'bench',
  level: process.env['LOG_LEVEL'] ?? 'warn',
  destination: {
    write(line: string) {
      const level = /"level":"(\w+)"/.exec(line)?.[1];
      if (level === 'warn' || level === 'error' || level === 'fatal') {
        logCounts[level === 'warn' ? 'warn' : 'error'] += 1;
        const msg = /"msg":"((?:[^"\\]|\\.)*)"/.exec(line)?.[1] ?? '(no msg)';
        logMessages.set(`${level}: ${msg}`, (logMessages.get(`${level}: ${msg}`) ?? 0) + 1);
      }
      process.stderr.write(line);
    },
  },
});

// ---------------------------------------------------------------------------------------------
// Time stamps, per envelope id, all from performance.now() in this one process.

interface Stamps {
  /** Upstream handler, just before ctx.emit (A). */
  emit?: number;
  /** KafkaTransport.publish called (A: after the upstream commit). */
  publishStart?: number;
  /** KafkaTransport.publish resolved: the broker acknowledged (acks=all). */
  publishAck?: number;
  /** The downstream transport hands the record to the runtime (A) or handler (B). */
  delivered?: number;
  /** The downstream handler runs (A: after decode, validation and the inbox claim). */
  invoked?: number;
}

class Probe {
  readonly stamps = new Map<string, Stamps>();
  /** Downstream arrivals since the last `resetArrivals`, in order: [runId, envelopeId]. */
  arrivals: Array<[string, string]> = [];
  lastArrival = 0;
  private readonly runWaiters = new Map<string, (envelopeId: string) => void>();
  private countWaiter: { count: number; wake: () => void } | undefined;

  stamp(envelopeId: string, field: keyof Stamps, at: number): void {
    const stamps = this.stamps.get(envelopeId);
    if (stamps) stamps[field] ??= at;
    else this.stamps.set(envelopeId, { [field]: at });
  }

  arrived(runId: string, envelopeId: string, at: number): void {
    this.arrivals.push([runId, envelopeId]);
    this.lastArrival = at;
    this.runWaiters.get(runId)?.(envelopeId);
    this.runWaiters.delete(runId);
    if (this.countWaiter && this.arrivals.length >= this.countWaiter.count) this.countWaiter.wake();
  }

  resetArrivals(): void {
    this.arrivals = [];
    this.lastArrival = 0;
  }

  /** Resolves with the id of the first envelope of `runId` to arrive downstream. */
  waitForRun(runId: string, timeoutMs: number): Promise<string> {
    return withTimeout(
      new Promise<string>((wake) => this.runWaiters.set(runId, wake)),
      timeoutMs,
      `run ${runId} did not arrive downstream`,
      () => this.runWaiters.delete(runId),
    );
  }

  waitForArrivals(count: number, timeoutMs: number): Promise<void> {
    if (this.arrivals.length >= count) return Promise.resolve();
    return withTimeout(
      new Promise<void>((wake) => (this.countWaiter = { count, wake })),
      timeoutMs,
      `${count} arrivals expected, got ${this.arrivals.length}`,
      () => (this.countWaiter = undefined),
    );
  }
}

function withTimeout<T>(
  promise: Promise<T>,
  timeoutMs: number,
  message: string,
  onTimeout: () => void,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        onTimeout();
        reject(new Error(`${message} within ${timeoutMs} ms`));
      }, timeoutMs);
    }),
  ]).finally(() => clearTimeout(timer));
}

const envelopeIdOf = (value: unknown): string | undefined => {
  try {
    const text = Buffer.isBuffer(value) ? value.toString('utf8') : String(value);
    return (JSON.parse(text) as { envelopeId?: string }).envelopeId;
  } catch {
    return undefined;
  }
};

/** The real KafkaTransport, with time stamps around publish and delivery (nothing else). */
class TimedKafkaTransport extends KafkaTransport {
  constructor(
    options: KafkaTransportOptions,
    private readonly probe: Probe,
  ) {
    super(options);
  }

  override async publish(records: OutboundRecord[]): Promise<void> {
    const start = performance.now();
    const sent = super.publish(records);
    const ids = records.map((record) => envelopeIdOf(record.value));
    for (const id of ids) if (id) this.probe.stamp(id, 'publishStart', start);
    await sent;
    const ack = performance.now();
    for (const id of ids) if (id) this.probe.stamp(id, 'publishAck', ack);
  }

  override subscribe(options: SubscribeOptions): Promise<Subscription> {
    return super.subscribe({
      ...options,
      handler: (record, shutdown) => {
        const at = performance.now();
        const done = options.handler(record, shutdown);
        const id = envelopeIdOf(record.value);
        if (id) this.probe.stamp(id, 'delivered', at);
        return done;
      },
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Wiring: what a service does at startup, with MessagingConfig's defaults.

const cleanups: Array<{ label: string; run: () => Promise<unknown> }> = [];
const kafka = new TestKafka();
const topics: string[] = [];
const groups: string[] = [];

function messagingConfig(maxWaitMs: number): MessagingConfig {
  return loadConfig(MessagingConfig, {
    KAFKA_BROKERS: BROKERS,
    KAFKA_MAX_WAIT_MS: String(maxWaitMs),
  });
}

function transportFor(config: MessagingConfig, clientId: string, probe: Probe) {
  return new TimedKafkaTransport(
    {
      brokers: config.kafkaBrokers,
      clientId,
      logger,
      sessionTimeoutMs: config.sessionTimeoutMs,
      heartbeatIntervalMs: config.heartbeatIntervalMs,
      maxWaitTimeMs: config.maxWaitTimeMs,
      partitions: config.partitions,
      replicationFactor: config.replicationFactor,
    },
    probe,
  );
}

const uniqueName = (label: string) => uniqueTopic(label).replace(/\./g, '-');

async function newTopic(label: string): Promise<Route<StepEnvelope>> {
  const topic = uniqueTopic(`bench.${label}`);
  await kafka.createTopic(topic, SETTINGS.partitions);
  topics.push(topic, `${topic}.dlq`);
  return { topic, codec: stepEnvelopeCodec };
}

interface Service {
  group: string;
  runtime: MessagingRuntime;
  transport: TimedKafkaTransport;
  schema: TestSchema;
  query<T>(sql: string): Promise<T[]>;
}

async function startService(label: string, maxWaitMs: number, probe: Probe): Promise<Service> {
  const consumer = uniqueName(label);
  groups.push(consumer);
  const config = messagingConfig(maxWaitMs);
  const schema = freshSchema(label);
  cleanups.push({ label: `drop schema ${schema.schema}`, run: () => schema.drop() });
  const dataSource = await openDatabase({
    url: schema.url,
    schema: schema.schema,
    migrations: MESSAGING_MIGRATIONS,
    poolSize: config.concurrency + 4, // poolSizeFor's default
    applicationName: `bench-${label}`,
  });
  cleanups.push({ label: `close ${label} database`, run: () => dataSource.destroy() });
  const transport = transportFor(config, consumer, probe);
  cleanups.push({ label: `close ${label} transport`, run: () => transport.close() });
  const runtime = new MessagingRuntime({ consumer, transport, dataSource, logger, config });
  cleanups.push({ label: `stop ${label} runtime`, run: () => runtime.stop() });
  return { group: consumer, runtime, transport, schema, query: (sql) => dataSource.query(sql) };
}

/** Runs and forgets the cleanups registered so far, newest first. */
async function cleanUp(): Promise<void> {
  for (const { label, run } of cleanups.splice(0).reverse()) {
    await run().catch((error: unknown) =>
      process.stderr.write(`hop-latency: ${label} failed: ${String(error)}\n`),
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Statistics.

interface Summary {
  n: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  min: number;
}

function summarize(samples: number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const n = sorted.length;
  const at = (q: number) => (n === 0 ? NaN : sorted[Math.min(n - 1, Math.ceil(q * n) - 1)]!);
  const round = (x: number) => Math.round(x * 100) / 100;
  return {
    n,
    mean: round(n ? sorted.reduce((s, x) => s + x, 0) / n : NaN),
    p50: round(at(0.5)),
    p90: round(at(0.9)),
    p99: round(at(0.99)),
    max: round(n ? sorted[n - 1]! : NaN),
    min: round(n ? sorted[0]! : NaN),
  };
}

type Segment = [label: string, from: keyof Stamps, to: keyof Stamps];

const A_SEGMENTS: Segment[] = [
  ['emit → publish (outbox insert + commit)', 'emit', 'publishStart'],
  ['publish → ack (produce, acks=all)', 'publishStart', 'publishAck'],
  ['publish → delivered (broker, fetch, scheduler)', 'publishStart', 'delivered'],
  ['delivered → handler (decode, BEGIN, inbox claim)', 'delivered', 'invoked'],
];
const B_SEGMENTS: Segment[] = [
  ['publish → ack (produce, acks=all)', 'publishStart', 'publishAck'],
  ['publish → handler (broker + fetch)', 'publishStart', 'invoked'],
];

interface ScenarioResult {
  id: string;
  label: string;
  scenario: 'A' | 'B';
  mode: 'sequential' | 'throughput';
  maxWaitMs: number;
  warmup: number;
  /** The measured interval. */
  measures: string;
  latencyMs: Summary;
  throughputPerSec?: number;
  elapsedMs: number;
  breakdownMs: Record<string, Summary>;
  /** Sequential runs: feed → downstream handler (A: two hops, X then Y). */
  roundTripMs?: Summary;
  /** Downstream arrivals beyond the envelopes sent (redeliveries that reached a handler). */
  extraArrivals: number;
  /**
   * From the last downstream handler call to the downstream group's committed offsets covering
   * every record of the topic (polled every ~5 ms through the admin client). null: not in 20 s.
   */
  commitLagMs: number | null;
  stats: Record<string, SubscriptionStats | undefined>;
  outboxRowsLeft?: number;
  /** CPU while measuring. */
  cpu: CpuUse;
  stoppedEarly?: string;
}

function measure(
  probe: Probe,
  ids: string[],
  from: keyof Stamps,
  segments: Segment[],
): { latency: Summary; breakdown: Record<string, Summary> } {
  const span = (id: string, a: keyof Stamps, b: keyof Stamps) => {
    const s = probe.stamps.get(id);
    return s?.[a] !== undefined && s[b] !== undefined ? s[b]! - s[a]! : undefined;
  };
  const latency = ids.map((id) => span(id, from, 'invoked')).filter((x) => x !== undefined);
  if (latency.length !== ids.length)
    throw new Error(`${ids.length - latency.length} envelopes lack time stamps`);
  const breakdown: Record<string, Summary> = {};
  for (const [label, a, b] of segments) {
    breakdown[label] = summarize(
      ids.map((id) => span(id, a, b)).filter((x): x is number => x !== undefined),
    );
  }
  return { latency: summarize(latency), breakdown };
}

interface CpuUse {
  /** CPU time of this process (both runtimes, feeder, kafkajs) over wall time; 100 = one core. */
  processCpuPct: number;
  /** Share of wall time the event loop was busy. */
  eventLoopUtilization: number;
  /** Whole machine (broker, Postgres, this process), from /proc/stat; 100 = every core busy. */
  machineBusyPct?: number;
}

function machineTicks(): { busy: number; total: number } | undefined {
  try {
    const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/);
    const ticks = cpu.slice(1).map(Number);
    const total = ticks.reduce((sum, x) => sum + x, 0);
    return { busy: total - ticks[3]! - (ticks[4] ?? 0), total };
  } catch {
    return undefined; // not Linux
  }
}

function startCpuMeter(): () => CpuUse {
  const at = performance.now();
  const cpu = process.cpuUsage();
  const loop = performance.eventLoopUtilization();
  const ticks = machineTicks();
  return () => {
    const wallMs = performance.now() - at;
    const used = process.cpuUsage(cpu);
    const now = machineTicks();
    return {
      processCpuPct: Math.round(((used.user + used.system) / 1000 / wallMs) * 1000) / 10,
      eventLoopUtilization:
        Math.round(performance.eventLoopUtilization(loop).utilization * 100) / 100,
      ...(ticks && now
        ? {
            machineBusyPct:
              Math.round(((now.busy - ticks.busy) / (now.total - ticks.total)) * 1000) / 10,
          }
        : {}),
    };
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let admin: Admin | undefined;
async function sharedAdmin(): Promise<Admin> {
  if (!admin) {
    admin = kafka.kafka.admin();
    await admin.connect();
  }
  return admin;
}

/** How long after `since` the group's committed offsets on `topic` reach the topic's end. */
async function commitLag(groupId: string, topic: string, since: number): Promise<number | null> {
  const client = await sharedAdmin();
  const end = (await client.fetchTopicOffsets(topic)).reduce((sum, p) => sum + Number(p.high), 0);
  for (;;) {
    const [committed] = await client.fetchOffsets({ groupId, topics: [topic] });
    const done = (committed?.partitions ?? []).reduce(
      (sum, p) => sum + Math.max(0, Number(p.offset)),
      0,
    );
    if (done >= end) return Math.round((performance.now() - since) * 10) / 10;
    if (performance.now() - since > 20_000) return null;
    await sleep(5);
  }
}

/** Time each service takes to stop (drain, commit, leave the group), per scenario. */
const shutdowns: Array<{ scenario: string; service: string; stopMs: number }> = [];
async function timedStop(scenario: string, service: string, stop: () => Promise<unknown>) {
  const at = performance.now();
  await stop();
  shutdowns.push({ scenario, service, stopMs: Math.round(performance.now() - at) });
}
const pause = () => sleep(Math.random() * SETTINGS.pauseMaxMs);
const progress = (text: string) => process.stderr.write(`hop-latency: ${text}\n`);

/** `count` first-step envelopes across `runs` runs, runs interleaved (r1#0, r2#0, …, r1#1, …). */
function envelopesAcrossRuns(count: number, runs: number): StepEnvelope[] {
  const runIds = Array.from({ length: Math.min(runs, count) }, () => aContextEnvelope().runId);
  return Array.from({ length: count }, (_, i) =>
    aContextEnvelope({ runId: runIds[i % runIds.length]! }),
  );
}

const messageOf = (e: StepEnvelope) => ({ key: e.runId, value: JSON.stringify(e) });
const recordOf = (topic: string, e: StepEnvelope): OutboundRecord => ({ topic, ...messageOf(e) });

// ---------------------------------------------------------------------------------------------
// Scenario A: through the runtime (outbox → Kafka → inbox).

async function scenarioA(
  maxWaitMs: number,
  options: { warmup: number; n: number; throughput: boolean },
): Promise<ScenarioResult[]> {
  const probe = new Probe();
  const input = await newTopic(`a${maxWaitMs}.x`);
  const output = await newTopic(`a${maxWaitMs}.y`);
  const upstream = await startService(`hop-up-${maxWaitMs}`, maxWaitMs, probe);
  const downstream = await startService(`hop-down-${maxWaitMs}`, maxWaitMs, probe);
  upstream.runtime.on(input, async (envelope, ctx) => {
    const next = aDecisionEnvelope(envelope);
    const at = performance.now();
    ctx.emit(output, next);
    probe.stamp(next.envelopeId, 'emit', at);
  });
  downstream.runtime.on(output, async (envelope) => {
    const at = performance.now();
    probe.stamp(envelope.envelopeId, 'invoked', at);
    probe.arrived(envelope.runId, envelope.envelopeId, at);
  });
  await upstream.runtime.start();
  await downstream.runtime.start();
  const stats = () => ({
    upstream: upstream.runtime.stats,
    downstream: downstream.runtime.stats,
  });
  const outboxLeft = async () =>
    (await upstream.query<{ n: number }>('SELECT count(*)::int AS n FROM outbox'))[0]!.n;

  const results: ScenarioResult[] = [];
  const seq = await sequential(probe, options, (e) => kafka.produce(input.topic, [messageOf(e)]));
  const seqCommitLag = await commitLag(downstream.group, output.topic, probe.lastArrival);
  await sleep(300); // duplicates, if any, arrive late
  const seqMeasure = measure(probe, seq.ids, 'emit', A_SEGMENTS);
  results.push({
    id: `A-seq-${maxWaitMs}`,
    label: `A hop via runtime, maxWait ${maxWaitMs} ms, sequential`,
    scenario: 'A',
    mode: 'sequential',
    maxWaitMs,
    warmup: options.warmup,
    measures: 'upstream ctx.emit → downstream handler invoked',
    latencyMs: seqMeasure.latency,
    elapsedMs: Math.round(seq.elapsedMs),
    cpu: seq.cpu,
    breakdownMs: seqMeasure.breakdown,
    roundTripMs: summarize(seq.roundTrips),
    extraArrivals: probe.arrivals.length - seq.sent,
    commitLagMs: seqCommitLag,
    stats: stats(),
    outboxRowsLeft: await outboxLeft(),
    ...(seq.stoppedEarly ? { stoppedEarly: seq.stoppedEarly } : {}),
  });

  if (options.throughput) {
    const envelopes = envelopesAcrossRuns(SETTINGS.throughputEnvelopes, SETTINGS.throughputRuns);
    probe.resetArrivals();
    const cpu = startCpuMeter();
    const start = performance.now();
    for (let i = 0; i < envelopes.length; i += SETTINGS.feedChunk) {
      await kafka.produce(input.topic, envelopes.slice(i, i + SETTINGS.feedChunk).map(messageOf));
    }
    await probe.waitForArrivals(envelopes.length, 120_000);
    const cpuUse = cpu();
    const elapsedMs = probe.lastArrival - start;
    const tpCommitLag = await commitLag(downstream.group, output.topic, probe.lastArrival);
    await sleep(500); // let stragglers (duplicates) show up before counting
    const ids = [...new Set(probe.arrivals.map(([, id]) => id))];
    const tp = measure(probe, ids, 'emit', A_SEGMENTS);
    results.push({
      id: `A-tp-${maxWaitMs}`,
      label: `A hop via runtime, maxWait ${maxWaitMs} ms, throughput`,
      scenario: 'A',
      mode: 'throughput',
      maxWaitMs,
      warmup: 0,
      measures: `${envelopes.length} envelopes over ${SETTINGS.throughputRuns} runs fed to X in batches of ${SETTINGS.feedChunk}; envelopes/s from the first feed to the last arrival on Y (both stages); latency = ctx.emit → downstream handler`,
      latencyMs: tp.latency,
      throughputPerSec: Math.round((envelopes.length / elapsedMs) * 1000),
      elapsedMs: Math.round(elapsedMs),
      cpu: cpuUse,
      breakdownMs: tp.breakdown,
      extraArrivals: probe.arrivals.length - envelopes.length,
      commitLagMs: tpCommitLag,
      stats: stats(),
      outboxRowsLeft: await outboxLeft(),
    });
  }
  const scenario = `A-${maxWaitMs}`;
  await timedStop(scenario, 'downstream runtime.stop()', () => downstream.runtime.stop());
  await timedStop(scenario, 'upstream runtime.stop()', () => upstream.runtime.stop());
  await cleanUp();
  return results;
}

// ---------------------------------------------------------------------------------------------
// Scenario B: the raw transport, no database.

async function scenarioB(
  maxWaitMs: number,
  options: { warmup: number; n: number; throughput: boolean },
): Promise<ScenarioResult[]> {
  const probe = new Probe();
  const route = await newTopic(`b${maxWaitMs}`);
  const config = messagingConfig(maxWaitMs);
  const producer = transportFor(config, uniqueName('bench-raw-producer'), probe);
  cleanups.push({ label: 'close raw producer', run: () => producer.close() });
  const consumer = transportFor(config, uniqueName('bench-raw-consumer'), probe);
  cleanups.push({ label: 'close raw consumer', run: () => consumer.close() });
  await producer.connect();
  const groupId = uniqueName('bench-raw');
  groups.push(groupId);
  const subscription = await consumer.subscribe({
    groupId,
    topics: [route.topic],
    concurrency: config.concurrency,
    maxBuffered: config.maxBuffered || config.concurrency * 4,
    handler: async (record) => {
      const at = performance.now();
      const id = envelopeIdOf(record.value)!;
      probe.stamp(id, 'invoked', at);
      probe.arrived(record.key ?? '', id, at);
    },
  });
  const results: ScenarioResult[] = [];
  const seq = await sequential(probe, options, (e) => producer.publish([recordOf(route.topic, e)]));
  const seqCommitLag = await commitLag(groupId, route.topic, probe.lastArrival);
  await sleep(300); // duplicates, if any, arrive late
  const seqMeasure = measure(probe, seq.ids, 'publishStart', B_SEGMENTS);
  results.push({
    id: `B-seq-${maxWaitMs}`,
    label: `B raw transport, maxWait ${maxWaitMs} ms, sequential`,
    scenario: 'B',
    mode: 'sequential',
    maxWaitMs,
    warmup: options.warmup,
    measures: 'KafkaTransport.publish called → subscribe handler invoked',
    latencyMs: seqMeasure.latency,
    elapsedMs: Math.round(seq.elapsedMs),
    cpu: seq.cpu,
    breakdownMs: seqMeasure.breakdown,
    roundTripMs: summarize(seq.roundTrips),
    extraArrivals: probe.arrivals.length - seq.sent,
    commitLagMs: seqCommitLag,
    stats: { consumer: subscription.stats },
    ...(seq.stoppedEarly ? { stoppedEarly: seq.stoppedEarly } : {}),
  });

  if (options.throughput) {
    const envelopes = envelopesAcrossRuns(SETTINGS.throughputEnvelopes, SETTINGS.throughputRuns);
    probe.resetArrivals();
    const cpu = startCpuMeter();
    const start = performance.now();
    for (let i = 0; i < envelopes.length; i += SETTINGS.feedChunk) {
      await producer.publish(
        envelopes.slice(i, i + SETTINGS.feedChunk).map((e) => recordOf(route.topic, e)),
      );
    }
    await probe.waitForArrivals(envelopes.length, 120_000);
    const cpuUse = cpu();
    const elapsedMs = probe.lastArrival - start;
    const tpCommitLag = await commitLag(groupId, route.topic, probe.lastArrival);
    await sleep(500);
    const ids = [...new Set(probe.arrivals.map(([, id]) => id))];
    const tp = measure(probe, ids, 'publishStart', B_SEGMENTS);
    results.push({
      id: `B-tp-${maxWaitMs}`,
      label: `B raw transport, maxWait ${maxWaitMs} ms, throughput`,
      scenario: 'B',
      mode: 'throughput',
      maxWaitMs,
      warmup: 0,
      measures: `${envelopes.length} envelopes over ${SETTINGS.throughputRuns} keys published in batches of ${SETTINGS.feedChunk}; envelopes/s from the first publish to the last arrival; latency = publish of its batch → handler`,
      latencyMs: tp.latency,
      throughputPerSec: Math.round((envelopes.length / elapsedMs) * 1000),
      elapsedMs: Math.round(elapsedMs),
      cpu: cpuUse,
      breakdownMs: tp.breakdown,
      extraArrivals: probe.arrivals.length - envelopes.length,
      commitLagMs: tpCommitLag,
      stats: { consumer: subscription.stats },
    });
  }
  await timedStop(`B-${maxWaitMs}`, 'subscription.stop()', () =>
    subscription.stop(config.drainTimeoutMs),
  );
  await cleanUp();
  return results;
}

// ---------------------------------------------------------------------------------------------
// Sequential ping-pong: send one, wait for it downstream, pause, next.

async function sequential(
  probe: Probe,
  options: { warmup: number; n: number },
  send: (envelope: StepEnvelope) => Promise<void>,
): Promise<{
  ids: string[];
  roundTrips: number[];
  elapsedMs: number;
  cpu: CpuUse;
  sent: number;
  stoppedEarly?: string;
}> {
  const ids: string[] = [];
  const roundTrips: number[] = [];
  let stoppedEarly: string | undefined;
  let started = 0;
  let sent = 0;
  let cpu = startCpuMeter();
  probe.resetArrivals();
  const total = options.warmup + options.n;
  for (let i = 0; i < total; i++) {
    if (i === options.warmup) {
      started = performance.now();
      cpu = startCpuMeter();
    }
    if (i > options.warmup && performance.now() - started > SETTINGS.scenarioBudgetMs) {
      stoppedEarly = `time budget of ${SETTINGS.scenarioBudgetMs} ms spent after ${ids.length} of ${options.n}`;
      break;
    }
    // The first round also waits for the consumer group to form.
    if (i > 0) await pause();
    const envelope = aContextEnvelope();
    const arrived = probe.waitForRun(
      envelope.runId,
      i === 0 ? SETTINGS.roundTimeoutMs * 2 : SETTINGS.roundTimeoutMs,
    );
    const sentAt = performance.now();
    await send(envelope);
    sent += 1;
    const id = await arrived;
    if (i >= options.warmup) {
      ids.push(id);
      roundTrips.push(probe.stamps.get(id)!.invoked! - sentAt);
    }
    if (i === 0)
      progress(`  first envelope arrived after ${Math.round(performance.now() - sentAt)} ms`);
  }
  const elapsedMs = started ? performance.now() - started : 0;
  return {
    ids,
    roundTrips,
    elapsedMs,
    cpu: cpu(),
    sent,
    ...(stoppedEarly ? { stoppedEarly } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// Report.

const fmt = (x: number | undefined, digits = 1) =>
  x === undefined || Number.isNaN(x) ? '—' : x.toFixed(digits);

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const line = (r: string[]) =>
    r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ');
  return [line(rows[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)]
    .join('\n')
    .concat('\n');
}

const ratio = (a: number | undefined, b: number | undefined) =>
  a === undefined || b === undefined || b === 0 ? undefined : Math.round((a / b) * 100) / 100;

async function main(): Promise<void> {
  const began = performance.now();
  const results: ScenarioResult[] = [];
  let postgres = 'unknown';
  try {
    const seqOptions = { warmup: SETTINGS.warmup, n: SETTINGS.n, throughput: true };
    const scenarios: Record<string, () => Promise<ScenarioResult[]>> = {
      A: () => {
        progress(`scenario A, maxWait ${DEFAULT_MAX_WAIT_MS} ms (default settings)`);
        return scenarioA(DEFAULT_MAX_WAIT_MS, seqOptions);
      },
      B: () => {
        progress(`scenario B, maxWait ${DEFAULT_MAX_WAIT_MS} ms`);
        return scenarioB(DEFAULT_MAX_WAIT_MS, seqOptions);
      },
      'A-slow': () => {
        progress(`scenario A, maxWait ${SETTINGS.slowMaxWaitMs} ms (kafkajs' default)`);
        return scenarioA(SETTINGS.slowMaxWaitMs, {
          warmup: SETTINGS.slowWarmup,
          n: SETTINGS.slowN,
          throughput: false,
        });
      },
    };
    for (const key of SETTINGS.order) {
      const run = scenarios[key];
      if (!run) throw new Error(`BENCH_ORDER: unknown scenario ${key} (A, B, A-slow)`);
      results.push(...(await run()));
    }
    const client = new pg.Client({ connectionString: testDatabaseUrl() });
    await client.connect();
    postgres = (await client.query<{ server_version: string }>('SHOW server_version')).rows[0]!
      .server_version;
    await client.end();
  } finally {
    await cleanUp();
    await admin?.disconnect();
    await deleteTopicsAndGroups();
    await kafka.close();
  }

  const byId = new Map(results.map((r) => [r.id, r]));
  const fast = byId.get(`A-seq-${DEFAULT_MAX_WAIT_MS}`)?.latencyMs;
  const slow = byId.get(`A-seq-${SETTINGS.slowMaxWaitMs}`)?.latencyMs;
  const raw = byId.get(`B-seq-${DEFAULT_MAX_WAIT_MS}`)?.latencyMs;
  const aTp = byId.get(`A-tp-${DEFAULT_MAX_WAIT_MS}`);
  const bTp = byId.get(`B-tp-${DEFAULT_MAX_WAIT_MS}`);
  const ratios = {
    [`maxWait${SETTINGS.slowMaxWaitMs}OverMaxWait${DEFAULT_MAX_WAIT_MS}P50`]: ratio(
      slow?.p50,
      fast?.p50,
    ),
    [`maxWait${SETTINGS.slowMaxWaitMs}OverMaxWait${DEFAULT_MAX_WAIT_MS}P99`]: ratio(
      slow?.p99,
      fast?.p99,
    ),
    outboxInboxCostP50Ms:
      fast && raw
        ? Math.round((fast.p50 - raw.p50) * 100) / 100
        : (undefined as number | undefined),
    outboxInboxCostP99Ms:
      fast && raw
        ? Math.round((fast.p99 - raw.p99) * 100) / 100
        : (undefined as number | undefined),
    runtimeOverRawP50: ratio(fast?.p50, raw?.p50),
    rawOverRuntimeThroughput: ratio(bTp?.throughputPerSec, aTp?.throughputPerSec),
  };

  const cpus = os.cpus();
  const report = {
    benchmark: 'hop-latency',
    command: 'npm run bench:hop',
    generatedAt: new Date().toISOString(),
    durationS: Math.round((performance.now() - began) / 100) / 10,
    machine: {
      cpus: cpus.length,
      cpuModel: cpus[0]?.model ?? 'unknown',
      memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
      os: `${os.type()} ${os.release()} ${os.arch()}`,
      node: process.version,
      kafka: KAFKA_VERSION,
      kafkajs: '2.2.4',
      postgres,
      brokers: BROKERS,
    },
    settings: {
      ...SETTINGS,
      messagingDefaults: messagingConfig(DEFAULT_MAX_WAIT_MS),
    },
    results,
    ratios,
    shutdowns,
    logs: { ...logCounts, messages: Object.fromEntries(logMessages) },
  };

  const rows = [
    [
      'scenario',
      'n',
      'p50',
      'p90',
      'p99',
      'max (ms)',
      'env/s',
      'commit lag',
      'node CPU %',
      'machine %',
    ],
  ];
  for (const r of results) {
    rows.push([
      r.label,
      String(r.latencyMs.n),
      fmt(r.latencyMs.p50),
      fmt(r.latencyMs.p90),
      fmt(r.latencyMs.p99),
      fmt(r.latencyMs.max),
      r.throughputPerSec === undefined ? '—' : String(r.throughputPerSec),
      r.commitLagMs === null ? '> 20 s' : fmt(r.commitLagMs, 0),
      fmt(r.cpu.processCpuPct, 0),
      fmt(r.cpu.machineBusyPct, 0),
    ]);
  }
  const breakdown = [['breakdown (ms)', 'p50', 'p90', 'p99', 'max']];
  for (const r of results) {
    for (const [segment, s] of Object.entries(r.breakdownMs)) {
      breakdown.push([`${r.id}  ${segment}`, fmt(s.p50), fmt(s.p90), fmt(s.p99), fmt(s.max)]);
    }
  }
  process.stdout.write(
    [
      '',
      `Hop latency — ${cpus.length} CPUs, Node ${process.version}, Kafka ${KAFKA_VERSION}, Postgres ${postgres}`,
      '',
      table(rows),
      table(breakdown),
      `maxWait ${SETTINGS.slowMaxWaitMs} vs ${DEFAULT_MAX_WAIT_MS} ms (A, sequential): p50 x${fmt(ratios[`maxWait${SETTINGS.slowMaxWaitMs}OverMaxWait${DEFAULT_MAX_WAIT_MS}P50`], 2)}, p99 x${fmt(ratios[`maxWait${SETTINGS.slowMaxWaitMs}OverMaxWait${DEFAULT_MAX_WAIT_MS}P99`], 2)}`,
      `outbox/inbox cost (A p50 − B p50): ${fmt(ratios.outboxInboxCostP50Ms, 2)} ms; p99: ${fmt(ratios.outboxInboxCostP99Ms, 2)} ms`,
      `throughput: raw transport / runtime = x${fmt(ratios.rawOverRuntimeThroughput, 2)}`,
      `stop: ${shutdowns.map((s) => `${s.scenario} ${s.service} ${s.stopMs} ms`).join('; ')}`,
      `log lines: ${logCounts.warn} warn, ${logCounts.error} error`,
      `JSON: ${OUT}`,
      '',
    ].join('\n'),
  );

  await mkdir(dirname(OUT), { recursive: true });
  const prettierOptions = (await resolveConfig(OUT)) ?? {};
  await writeFile(
    OUT,
    await format(JSON.stringify(report, null, 2), { ...prettierOptions, filepath: OUT }),
  );
}

async function deleteTopicsAndGroups(): Promise<void> {
  const admin = kafka.kafka.admin();
  try {
    await admin.connect();
    if (topics.length) await admin.deleteTopics({ topics, timeout: 10_000 });
    if (groups.length) await admin.deleteGroups(groups).catch(() => undefined);
  } catch (error) {
    progress(`could not delete the bench topics: ${String(error)}`);
  } finally {
    await admin.disconnect();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`hop-latency failed: ${error instanceof Error ? error.stack : error}\n`);
    process.exit(1);
  },
);
