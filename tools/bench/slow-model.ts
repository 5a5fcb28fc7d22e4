// `npm run bench:slow-model`: 1,000 runs in flight on ONE decision instance whose model answers
// after 2 s (issue 10's target: all complete, none dead-lettered, no rebalance, throughput at
// least 80 % of min(in-flight ÷ latency, the admission limit ÷ latency), on a pool of ≤ 10
// connections). A benchmark, not a test: it measures and reports; it fails (exit 1) only when
// it cannot measure (a start that fails, a scenario that does not finish in time).
//
// Per scenario (BENCH_SCENARIOS, default "none,200": no admission limit, then
// BATON_MODEL_MAX_CONCURRENT=<model>=200):
//   - the scripted OpenAI-compatible server of libs/testing, each answer held BENCH_LATENCY_MS
//     (2000) by a timer started when the request arrives; it counts the calls it holds at once;
//   - one decision service process (tools/bench/slow-model/decision-process.ts: runService, as
//     main.ts, plus a stats reporter over IPC) on the real broker (KAFKA_BROKERS) and Postgres
//     (DATABASE_URL), a fresh topic prefix and schema, DATABASE_POOL_SIZE=10,
//     BATON_CONCURRENCY=1000, BATON_MAX_BUFFERED=2000, records signed with BATON_SIGNING_KEY;
//   - BENCH_WARMUP (20) decision envelopes of the billing-dispute workflow whose rules do not
//     decide (so the model is asked), then BENCH_RUNS (1000) published at once, each a run of
//     its own (key = runId), signed as the services sign records;
//   - completion observed by consuming what the decision emits: `step.finished` of the decision
//     step on the run-events topic, and the decision topic's dead-letter topic. Nothing of the
//     system under test is polled except pg_stat_activity (its backends, by pid) and the
//     process's own report.
// Recorded: wall time (first publish → last step.finished seen), decisions/s against the ideal,
// per-decision latency (publish → step.finished seen), peak model calls in flight at the
// server, dead letters, consumer group joins, DB connections (pool size and pg_stat_activity by
// state), CPU and event-loop use of the decision process, whole-machine CPU.
//
// Needs the broker and Postgres; loopback only. Bounded: BENCH_SCENARIO_TIMEOUT_MS (150000) per
// scenario to finish, BENCH_TOTAL_TIMEOUT_MS (300000) for everything, after which it cleans up
// and exits 1. Drops its schemas, deletes its topics and consumer groups, stops its process.
// Knobs (environment): KAFKA_BROKERS (127.0.0.1:9092), DATABASE_URL
// (postgres://postgres@127.0.0.1:5432/test), BENCH_RUNS, BENCH_WARMUP, BENCH_LATENCY_MS,
// BENCH_SCENARIOS, BENCH_POOL (10), BENCH_CONCURRENCY (1000), BENCH_MAX_BUFFERED (2000),
// BENCH_OUT (docs/benchmarks/slow-model.json), LOG_LEVEL (warn; the service's log goes to
// BENCH_LOG_DIR, default .baton/logs/bench-slow-model-<scenario>.log).
import { fork, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import { dirname, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Kafka, Partitioners, logLevel, type Consumer } from 'kafkajs';
import pg from 'pg';
import { format, resolveConfig } from 'prettier';
import {
  RecordSigner,
  SIGNATURE_HEADER,
  topicNames,
  type RunEvent,
  type StepEnvelope,
} from '@baton/contracts';
import { ScriptedOpenAI, freePort } from '@baton/testing';
import {
  aDecision,
  aModelCredit,
} from '../../services/decision/src/testing/decision-envelopes.fixture.js';
import type { DecisionProcessReport } from './slow-model/decision-process.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const env = process.env;
const num = (name: string, fallback: number) => Number(env[name] ?? fallback);

const BROKERS = (env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',').map((b) => b.trim());
const DATABASE_URL = env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const RUNS = num('BENCH_RUNS', 1000);
const WARMUP = num('BENCH_WARMUP', 20);
const LATENCY_MS = num('BENCH_LATENCY_MS', 2000);
const POOL = num('BENCH_POOL', 10);
const CONCURRENCY = num('BENCH_CONCURRENCY', 1000);
const MAX_BUFFERED = num('BENCH_MAX_BUFFERED', 2000);
const SCENARIOS = (env['BENCH_SCENARIOS'] ?? 'none,200').split(',').map((s) => s.trim());
const SCENARIO_TIMEOUT_MS = num('BENCH_SCENARIO_TIMEOUT_MS', 150_000);
const TOTAL_TIMEOUT_MS = num('BENCH_TOTAL_TIMEOUT_MS', 300_000);
const OUT = resolve(root, env['BENCH_OUT'] ?? 'docs/benchmarks/slow-model.json');
const LOG_DIR = resolve(root, env['BENCH_LOG_DIR'] ?? '.baton/logs');
/** The workflow's model (workflows/billing-dispute: model.name), which admission is keyed by. */
const MODEL = 'gpt-4.1-mini';
const SIGNING_KEY = 'baton-bench-slow-model-signing-key-0123456789';
const signer = new RecordSigner([SIGNING_KEY]);

const started = Date.now();
const remaining = () => TOTAL_TIMEOUT_MS - (Date.now() - started);
const log = (line: string) => process.stderr.write(`[bench:slow-model] ${line}\n`);

// ---------------------------------------------------------------------------------------------
// The model: the scripted server, each answer held by a timer that starts when the request is
// read. ScriptedOpenAI awaits `after.catch(...)` right then, so a reply whose `after` starts its
// timer on that call holds that one request for LATENCY_MS, counted while it is held.

class HeldCalls {
  now = 0;
  peak = 0;
  total = 0;
  /** When each call arrived (performance.now()). */
  readonly arrivals: number[] = [];
  /** A reply's `after`: starts the hold when the server awaits it. */
  hold(ms: number): Promise<unknown> {
    const held = {
      catch: () => {
        this.now += 1;
        this.total += 1;
        this.arrivals.push(performance.now());
        this.peak = Math.max(this.peak, this.now);
        return new Promise<void>((done) =>
          setTimeout(() => {
            this.now -= 1;
            done();
          }, ms),
        );
      },
    };
    return held as unknown as Promise<unknown>;
  }
}

// ---------------------------------------------------------------------------------------------
// Machine CPU and percentiles.

function machineCpu(): { busy: number; total: number } {
  const [line] = readFileSync('/proc/stat', 'utf8').split('\n');
  const values = line!.trim().split(/\s+/).slice(1).map(Number);
  const idle = (values[3] ?? 0) + (values[4] ?? 0);
  const total = values.reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

function percentiles(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) =>
    sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]! : NaN;
  const round = (v: number) => Math.round(v * 10) / 10;
  return {
    n: sorted.length,
    min: round(sorted[0] ?? NaN),
    p50: round(at(0.5)),
    p90: round(at(0.9)),
    p99: round(at(0.99)),
    max: round(sorted.at(-1) ?? NaN),
  };
}

// ---------------------------------------------------------------------------------------------
// One scenario.

interface Scenario {
  name: string;
  /** BATON_MODEL_MAX_CONCURRENT, or '' for none. */
  maxConcurrent: string;
  admissionLimit: number | null;
}

function scenarioOf(spec: string): Scenario {
  if (spec === 'none' || spec === '0')
    return { name: 'no admission limit', maxConcurrent: '', admissionLimit: null };
  const limit = Number(spec);
  if (!Number.isInteger(limit) || limit < 1) throw new Error(`BENCH_SCENARIOS: bad entry ${spec}`);
  return {
    name: `BATON_MODEL_MAX_CONCURRENT=${MODEL}=${limit}`,
    maxConcurrent: `${MODEL}=${limit}`,
    admissionLimit: limit,
  };
}

class DecisionProcess {
  readonly reports: DecisionProcessReport[] = [];
  private stopped = false;
  readonly exited: Promise<number | null>;
  private constructor(
    readonly child: ChildProcess,
    readonly logFile: string,
  ) {
    this.exited = new Promise((done) => child.once('exit', (code) => done(code)));
    child.on('message', (message: { type?: string }) => {
      if (message.type === 'report' || message.type === 'ready')
        this.reports.push(message as DecisionProcessReport);
    });
  }

  static async start(childEnv: NodeJS.ProcessEnv, logFile: string): Promise<DecisionProcess> {
    mkdirSync(dirname(logFile), { recursive: true });
    const out = createWriteStream(logFile, { flags: 'w' });
    const child = fork(resolve(root, 'tools/bench/slow-model/decision-process.ts'), [], {
      cwd: root,
      env: childEnv,
      execArgv: ['--import', resolve(root, 'tools/ts-register.mjs')],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    child.stdout!.pipe(out);
    child.stderr!.pipe(out);
    const process_ = new DecisionProcess(child, logFile);
    await new Promise<void>((ready, failed) => {
      const timer = setTimeout(
        () => failed(new Error(`decision not ready after 90 s; see ${logFile}`)),
        90_000,
      );
      child.on('message', (message: { type?: string }) => {
        if (message.type !== 'ready') return;
        clearTimeout(timer);
        ready();
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        failed(new Error(`decision exited with ${code} before it was ready; see ${logFile}`));
      });
    });
    return process_;
  }

  get last(): DecisionProcessReport {
    return this.reports.at(-1)!;
  }

  /** A report taken now. */
  async report(): Promise<DecisionProcessReport> {
    const count = this.reports.length;
    this.child.send({ type: 'report' });
    const deadline = Date.now() + 2_000;
    while (this.reports.length === count && Date.now() < deadline) await sleep(10);
    return this.last;
  }

  async stop(): Promise<number | null> {
    if (this.stopped) return this.exited;
    this.stopped = true;
    if (this.child.exitCode === null && this.child.connected) this.child.send({ type: 'stop' });
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 30_000);
    const code = await this.exited;
    clearTimeout(timer);
    return code;
  }
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

interface Seen {
  /** runId → when its decision's step.finished was seen (performance.now()). */
  finished: Map<string, { at: number; outcome: string; attempt: number }>;
  /** step.finished events of decision steps per run, duplicates included. */
  finishedEvents: Map<string, number>;
  deadLetters: Map<string, number>;
}

async function observe(
  kafka: Kafka,
  topics: string[],
  groupId: string,
  seen: Seen,
): Promise<Consumer> {
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
  const joined = new Promise<void>((done) => consumer.on(consumer.events.GROUP_JOIN, () => done()));
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ topic, message }) => {
      const at = performance.now();
      if (!message.value) return;
      if (topic.endsWith('.dlq')) {
        const runId = message.key?.toString() ?? '?';
        seen.deadLetters.set(runId, (seen.deadLetters.get(runId) ?? 0) + 1);
        return;
      }
      const event = JSON.parse(message.value.toString('utf8')) as RunEvent;
      if (event.type !== 'step.finished' || event.step?.kind !== 'decision') return;
      seen.finishedEvents.set(event.runId, (seen.finishedEvents.get(event.runId) ?? 0) + 1);
      if (!seen.finished.has(event.runId))
        seen.finished.set(event.runId, {
          at,
          outcome: event.step.outcome,
          attempt: event.step.attempt,
        });
    },
  });
  await joined;
  return consumer;
}

async function runScenario(scenario: Scenario, index: number) {
  const tag = `${process.pid}.${index}.${Math.random().toString(36).slice(2, 7)}`;
  const prefix = `bench.slow.${tag}.`;
  const schemaPrefix = `bench_slow_${tag.replaceAll('.', '_')}_`;
  const names = topicNames(prefix);
  const decisionDlq = `${names.steps.decision}.dlq`;
  // The bench's own client logs nothing: right after the service creates the topics, offset
  // look-ups get retriable "not the leader" errors that kafkajs logs at ERROR and then retries.
  // The bench's own client logs nothing: right after the service creates the topics, offset
  // look-ups get retriable "not the leader" errors that kafkajs logs at ERROR and then retries.
  const kafka = new Kafka({
    clientId: 'bench-slow-model',
    brokers: BROKERS,
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  const held = new HeldCalls();
  const scripted = new ScriptedOpenAI();
  const db = new pg.Client({
    connectionString: DATABASE_URL,
    application_name: 'bench-slow-model',
  });
  let decision: DecisionProcess | undefined;
  let observer: Consumer | undefined;
  let sampler: NodeJS.Timeout | undefined;
  const logFile = `${LOG_DIR}/bench-slow-model-${index + 1}.log`;
  log(
    `scenario ${index + 1}: ${scenario.name} (topics ${prefix}*, schema ${schemaPrefix}decision)`,
  );
  try {
    await Promise.all([admin.connect(), producer.connect(), db.connect(), scripted.start()]);
    scripted.reply(
      ...Array.from({ length: WARMUP + RUNS }, () => ({
        json: aModelCredit(),
        after: held.hold(LATENCY_MS),
      })),
    );
    const port = await freePort();
    const childEnv: NodeJS.ProcessEnv = {
      PATH: env['PATH'],
      HOME: env['HOME'],
      NODE_OPTIONS: env['NODE_OPTIONS'],
      LOG_LEVEL: env['LOG_LEVEL'] ?? 'warn',
      KAFKA_BROKERS: BROKERS.join(','),
      DATABASE_URL,
      BATON_TOPIC_PREFIX: prefix,
      BATON_SCHEMA_PREFIX: schemaPrefix,
      BATON_SIGNING_KEY: SIGNING_KEY,
      HOST: '127.0.0.1',
      PORT: String(port),
      DATABASE_POOL_SIZE: String(POOL),
      BATON_CONCURRENCY: String(CONCURRENCY),
      BATON_MAX_BUFFERED: String(MAX_BUFFERED),
      OPENAI_API_KEY: 'bench',
      OPENAI_BASE_URL: scripted.baseURL,
      OPENAI_TIMEOUT_MS: '120000',
      BATON_MODEL_MAX_CONCURRENT: scenario.maxConcurrent,
      BATON_DRAIN_TIMEOUT_MS: '10000',
      BENCH_MODEL: MODEL,
    };
    for (const [key, value] of Object.entries(childEnv))
      if (value === undefined) delete childEnv[key];
    const startAt = performance.now();
    decision = await DecisionProcess.start(childEnv, logFile);
    const startMs = performance.now() - startAt;
    log(`decision ready in ${(startMs / 1000).toFixed(1)} s (pid ${decision.child.pid})`);

    const seen: Seen = {
      finished: new Map(),
      finishedEvents: new Map(),
      deadLetters: new Map(),
    };
    observer = await observe(
      kafka,
      [names.runEvents, decisionDlq],
      `${prefix}bench-observer`,
      seen,
    );

    // DB connections of the decision process: its pool's backends, by pid, by state.
    const connections = { peak: 0, peakActive: 0, peakIdleInTransaction: 0, samples: 0 };
    const timeline: Array<Record<string, number>> = [];
    const measuring: { t0?: number; runIds?: string[] } = {};
    let lastTimeline = 0;
    let sampling = false;
    sampler = setInterval(() => {
      if (measuring.t0 !== undefined && decision && performance.now() - lastTimeline >= 250) {
        lastTimeline = performance.now();
        const r = decision.last;
        const runIds = measuring.runIds ?? [];
        timeline.push({
          ms: Math.round(lastTimeline - measuring.t0),
          finished: runIds.filter((id) => seen.finished.has(id)).length,
          modelCallsHeld: held.now,
          admissionWaiting: r.admission.waiting,
          running: r.subscription?.running ?? 0,
          buffered: r.subscription?.buffered ?? 0,
          poolCheckedOut: r.pool.total - r.pool.idle,
          poolWaiting: r.pool.waiting,
          groupJoins: r.subscription?.groupJoins ?? 0,
        });
      }
      if (sampling || !decision) return;
      sampling = true;
      const pids = decision.last.pool.pids;
      db.query<{ state: string | null; n: number }>(
        `SELECT state, count(*)::int AS n FROM pg_stat_activity
          WHERE application_name = 'baton-decision' AND pid = ANY($1) GROUP BY state`,
        [pids],
      )
        .then(({ rows }) => {
          const count = (state: string) =>
            rows.filter((row) => row.state === state).reduce((a, row) => a + row.n, 0);
          connections.samples += 1;
          connections.peak = Math.max(
            connections.peak,
            rows.reduce((a, row) => a + row.n, 0),
          );
          connections.peakActive = Math.max(connections.peakActive, count('active'));
          connections.peakIdleInTransaction = Math.max(
            connections.peakIdleInTransaction,
            count('idle in transaction') + count('idle in transaction (aborted)'),
          );
        })
        .catch((error: unknown) => log(`pg_stat_activity sample failed: ${String(error)}`))
        .finally(() => (sampling = false));
    }, 100);

    const publish = async (envelopes: StepEnvelope<'decision'>[]) => {
      const topic = names.steps.decision;
      const messages = envelopes.map((envelope) => {
        const value = JSON.stringify(envelope);
        return {
          key: envelope.runId,
          value,
          headers: { [SIGNATURE_HEADER]: signer.sign({ topic, key: envelope.runId, value }) },
        };
      });
      await producer.send({ topic, acks: -1, messages });
    };
    const waitFor = async (runIds: string[], timeoutMs: number) => {
      const deadline = Date.now() + Math.min(timeoutMs, remaining());
      while (Date.now() < deadline) {
        const done = runIds.filter(
          (runId) => seen.finished.has(runId) || seen.deadLetters.has(runId),
        ).length;
        if (done === runIds.length) return true;
        await sleep(20);
      }
      return false;
    };

    // Warm-up: a few runs through the same path (JIT, pool connections, the model client).
    const warmup = Array.from({ length: WARMUP }, () => aDecision());
    await publish(warmup);
    if (
      !(await waitFor(
        warmup.map((e) => e.runId),
        60_000,
      ))
    )
      throw new Error(`warm-up: ${WARMUP} decisions did not finish within 60 s; see ${logFile}`);
    await sleep(500);
    const heldBefore = { total: held.total };
    held.peak = 0;

    // The measured batch.
    const envelopes = Array.from({ length: RUNS }, () => aDecision());
    const runIds = envelopes.map((e) => e.runId);
    const before = await decision.report();
    const machineBefore = machineCpu();
    const loadBefore = os.loadavg().map((v) => Math.round(v * 100) / 100);
    const t0 = performance.now();
    const arrivalsBefore = held.arrivals.length;
    Object.assign(measuring, { t0, runIds });
    await publish(envelopes);
    const publishMs = performance.now() - t0;
    const completed = await waitFor(runIds, SCENARIO_TIMEOUT_MS);
    const tEnd = performance.now();
    const machineAfter = machineCpu();
    await sleep(1_000); // late duplicates or dead letters, the last commits
    const after = await decision.report();
    clearInterval(sampler);
    sampler = undefined;

    const finished = runIds.map((id) => seen.finished.get(id)).filter((f) => f !== undefined);
    const lastAt = Math.max(...finished.map((f) => f.at));
    const wallMs = (completed ? lastAt : tEnd) - t0;
    const deadLettered = runIds.filter((id) => seen.deadLetters.has(id)).length;
    const outcomes: Record<string, number> = {};
    for (const f of finished) outcomes[f.outcome] = (outcomes[f.outcome] ?? 0) + 1;
    const retried = finished.filter((f) => f.attempt > 1).length;
    const inFlight = Math.min(RUNS, CONCURRENCY);
    const idealPerSec = Math.min(
      inFlight / (LATENCY_MS / 1000),
      scenario.admissionLimit === null ? Infinity : scenario.admissionLimit / (LATENCY_MS / 1000),
    );
    const perSec = (finished.length / wallMs) * 1000;
    const cpuMs = (after.cpu.user + after.cpu.system - before.cpu.user - before.cpu.system) / 1000;
    const windowMs = after.at - before.at;
    const eluActive = after.elu.active - before.elu.active;
    const eluIdle = after.elu.idle - before.elu.idle;
    const reportsInRun = decision.reports.filter((r) => r.at >= before.at && r.at <= after.at);
    const max = (pick: (r: DecisionProcessReport) => number) => Math.max(...reportsInRun.map(pick));
    const machine = {
      loadAverageBefore: loadBefore,
      busyPercent: Math.round(
        (100 * (machineAfter.busy - machineBefore.busy)) /
          Math.max(1, machineAfter.total - machineBefore.total),
      ),
    };
    const result = {
      scenario: scenario.name,
      settings: {
        runs: RUNS,
        warmup: WARMUP,
        modelLatencyMs: LATENCY_MS,
        BATON_CONCURRENCY: CONCURRENCY,
        BATON_MAX_BUFFERED: MAX_BUFFERED,
        DATABASE_POOL_SIZE: POOL,
        BATON_MODEL_MAX_CONCURRENT: scenario.maxConcurrent || '(none)',
        KAFKA_PARTITIONS: 6,
      },
      completed: finished.length,
      allCompleted: completed && finished.length === RUNS,
      outcomes,
      decisionsRetried: retried,
      duplicateStepFinished: runIds.reduce(
        (sum, id) => sum + Math.max(0, (seen.finishedEvents.get(id) ?? 0) - 1),
        0,
      ),
      deadLettered,
      publishMs: Math.round(publishMs),
      wallMs: Math.round(wallMs),
      decisionsPerSec: Math.round(perSec * 10) / 10,
      idealPerSec: Math.round(idealPerSec * 10) / 10,
      idealWallMs: Math.round((RUNS / idealPerSec) * 1000),
      ratioToIdeal: Math.round((perSec / idealPerSec) * 1000) / 1000,
      target: { ratio: 0.8, met: completed && deadLettered === 0 && perSec >= 0.8 * idealPerSec },
      latencyMs: percentiles(finished.map((f) => f.at - t0)),
      modelCallStartMs: percentiles(held.arrivals.slice(arrivalsBefore).map((at) => at - t0)),
      model: {
        callsMeasured: held.total - heldBefore.total,
        peakInFlightAtServer: held.peak,
        peakInFlightAdmission: after.admission.peakInFlight,
        peakWaitingAdmission: max((r) => r.admission.waiting),
      },
      subscription: {
        groupJoinsBeforeBatch: before.subscription?.groupJoins ?? null,
        groupJoins: after.subscription?.groupJoins ?? null,
        rebalancesDuringBatch:
          (after.subscription?.groupJoins ?? 0) - (before.subscription?.groupJoins ?? 0),
        peakRunning: after.subscription?.peakRunning ?? null,
        peakBuffered: max((r) => r.subscription?.buffered ?? 0),
      },
      database: {
        poolMax: POOL,
        peakPoolSize: max((r) => r.pool.total),
        peakCheckedOut: max((r) => r.pool.total - r.pool.idle),
        peakWaitingForConnection: max((r) => r.pool.waiting),
        pgStatActivity: connections,
      },
      decisionProcess: {
        cpuMs: Math.round(cpuMs),
        cpuPercentOfOneCore: Math.round((100 * cpuMs) / Math.max(1, windowMs)),
        eventLoopUtilization:
          Math.round((100 * eluActive) / Math.max(1, eluActive + eluIdle)) / 100,
        loopDelayMaxMs: Math.round(max((r) => r.loopDelay.max)),
        loopDelayP99MaxMs: Math.round(max((r) => r.loopDelay.p99)),
        peakRssMb: Math.round(max((r) => r.rssBytes) / 2 ** 20),
        startMs: Math.round(startMs),
        windowMs,
      },
      machine,
      timeline,
    };
    if (!completed)
      log(
        `scenario ${index + 1}: only ${finished.length}/${RUNS} finished, ${deadLettered} dead-lettered, within ${SCENARIO_TIMEOUT_MS} ms`,
      );
    return result;
  } finally {
    if (sampler) clearInterval(sampler);
    await observer?.disconnect().catch(() => undefined);
    const code = await decision?.stop().catch(() => null);
    if (decision) log(`decision stopped (exit ${code})`);
    await scripted.stop().catch(() => undefined);
    await db
      .query(`DROP SCHEMA IF EXISTS "${schemaPrefix}decision" CASCADE`)
      .catch((error: unknown) => log(`drop schema failed: ${String(error)}`));
    await db.end().catch(() => undefined);
    await cleanTopics(admin, prefix);
    await producer.disconnect().catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
  }
}

async function cleanTopics(admin: ReturnType<Kafka['admin']>, prefix: string): Promise<void> {
  try {
    const topics = (await admin.listTopics()).filter((topic) => topic.startsWith(prefix));
    if (topics.length) await admin.deleteTopics({ topics, timeout: 30_000 });
    const { groups } = await admin.listGroups();
    const ours = groups.map((g) => g.groupId).filter((id) => id.startsWith(prefix));
    if (ours.length) await admin.deleteGroups(ours);
  } catch (error) {
    log(`topic/group cleanup failed: ${String(error)}`);
  }
}

// ---------------------------------------------------------------------------------------------

const watchdog = setTimeout(() => {
  log(`not finished after ${TOTAL_TIMEOUT_MS} ms: giving up`);
  process.exit(1);
}, TOTAL_TIMEOUT_MS + 60_000); // the scenarios' own deadlines come first; this is the last resort
watchdog.unref();

const results = [];
let failed = false;
for (const [index, spec] of SCENARIOS.entries()) {
  if (remaining() <= 0) {
    log(`no time left for scenario ${spec}`);
    failed = true;
    break;
  }
  try {
    results.push(await runScenario(scenarioOf(spec), index));
  } catch (error) {
    log(`scenario ${spec} failed: ${(error as Error).stack ?? String(error)}`);
    failed = true;
  }
}

const cpus = os.cpus();
const output = {
  bench: 'slow-model',
  date: new Date().toISOString(),
  command: 'npm run bench:slow-model',
  target:
    'With a scripted model answering after 2 s, 1,000 runs in flight on one decision instance with a pool of ≤ 10 connections: all complete, none dead-lettered, no rebalance, and throughput ≥ 80 % of min(in-flight ÷ latency, the admission limit).',
  machine: {
    cpus: cpus.length,
    model: cpus[0]?.model ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    loadAverage: os.loadavg().map((v) => Math.round(v * 100) / 100),
  },
  results,
};
const text = JSON.stringify(output, null, 2);
await writeFile(
  OUT,
  await format(text, { ...(await resolveConfig(OUT)), filepath: OUT }).catch(() => text),
);

process.stdout.write(
  [
    '',
    `slow model (${LATENCY_MS} ms), ${RUNS} runs, one decision process, pool ${POOL}, concurrency ${CONCURRENCY}`,
    ...results.map((r) =>
      [
        `  ${r.scenario}`,
        `    completed ${r.completed}/${RUNS}, dead-lettered ${r.deadLettered}, group joins ${r.subscription.groupJoins} (${r.subscription.rebalancesDuringBatch} during the batch)`,
        `    wall ${(r.wallMs / 1000).toFixed(2)} s, ${r.decisionsPerSec}/s vs ideal ${r.idealPerSec}/s: ${(r.ratioToIdeal * 100).toFixed(1)} % (target 80 %: ${r.target.met ? 'met' : 'not met'})`,
        `    latency p50 ${r.latencyMs.p50} ms, p99 ${r.latencyMs.p99} ms, max ${r.latencyMs.max} ms`,
        `    model calls in flight: peak ${r.model.peakInFlightAtServer} at the server (${r.model.callsMeasured} calls)`,
        `    DB: pool peak ${r.database.peakPoolSize}/${POOL}, checked out peak ${r.database.peakCheckedOut}, waiting peak ${r.database.peakWaitingForConnection}; pg_stat_activity peak ${r.database.pgStatActivity.peak} (active ${r.database.pgStatActivity.peakActive}, idle in transaction ${r.database.pgStatActivity.peakIdleInTransaction})`,
        `    decision CPU ${r.decisionProcess.cpuMs} ms (${r.decisionProcess.cpuPercentOfOneCore} % of one core), ELU ${r.decisionProcess.eventLoopUtilization}, loop delay max ${r.decisionProcess.loopDelayMaxMs} ms; machine ${r.machine.busyPercent} % busy`,
      ].join('\n'),
    ),
    `JSON: ${OUT.replace(root, '')}`,
    '',
  ].join('\n'),
);
process.exit(failed ? 1 : 0);
