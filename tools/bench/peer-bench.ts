// Side by side: Baton distributed, Baton embedded and a LangGraph.js peer (tools/bench/peer/)
// on the billing dispute's rules-only path — the README's trigger: the rules issue an $18
// credit, draft the reply, complete; ten steps, two business writes — on this machine.
//
//   npm run bench:peer
//
// Interleaved rounds (BENCH_ROUNDS, default 3; the order of the three systems rotates each
// round). In each round, each system is started fresh (its own database, seeded with the demo
// business data; embedded has its own in-memory PGlite), warmed up (BENCH_WARMUP runs), then:
//   lone        BENCH_LONE runs (default 100), one at a time: trigger → completed from server
//               stamps for Baton (the run ledger's createdAt → endedAt), from in-process stamps
//               for the peer (graph.invoke start → end);
//   concurrent  BENCH_CONCURRENT runs (default 200) fired at once: runs/s = n ÷ (last endedAt −
//               fire), and each run's fire → endedAt;
// and the system is stopped. Completion is observed by polling ONE list endpoint (GET /v1/runs
// since the pass began) every BENCH_POLL_MS (default 250), never per run. CPU per run for each
// pass and process group — Baton's Node processes (or the peer's), the Postgres backends of the
// system's database, the Kafka JVM — from /proc/<pid>/stat (utime + stime) before and after;
// the load average after each pass. Medians over the rounds and Baton ÷ peer ratios are printed
// and written to BENCH_OUT (default docs/benchmarks/peer.json).
//
// Loopback only, bounded (BENCH_TIME_LIMIT_S, default 3600: past it the bench stops and cleans
// up), and it cleans up what it started: the service processes, the broker (when it started it),
// its databases. Other knobs: KAFKA_PORT / KAFKA_CONTROLLER_PORT / KAFKA_DATA_DIR (default
// 29092 / 29093 / /tmp/peerkafka/data: a broker of its own, not the developer's 9092),
// BENCH_PORT_BASE (default 4700: distributed on 4700–4705, embedded on 4710–4715),
// BENCH_BATON_DB_CONNECTIONS (default 60, split over the six distributed processes as
// `npm run start:distributed` splits it), PEER_POOL_SIZE (default 10: the peer's checkpointer
// pool and its business pool each), PEER_DURABILITY (default sync), BENCH_SYSTEMS (default
// distributed,embedded,peer), DATABASE_URL (the Postgres server, default
// postgres://postgres@127.0.0.1:5432/test; the bench makes databases of its own there),
// BENCH_BATON_REF (a commit, e.g. HEAD: Baton runs from that commit's files, exported with
// `git archive` to a temporary folder, instead of the working tree — for a tree that others are
// editing; the peer and the seeds come from the working tree). A before/after of a change to
// embedded mode in the same rounds: BENCH_SYSTEMS=embedded-base,embedded runs `embedded-base`,
// Baton embedded from BENCH_BASE_REF (a commit, default HEAD, exported the same way to a folder
// of its own), beside `embedded` (the working tree, or BENCH_BATON_REF), and prints
// embedded ÷ embedded-base. BENCH_NODE_FLAGS (space-separated, default none): extra Node flags
// for Baton's processes (the six distributed services and the embedded child; not the peer),
// e.g. `--import /tmp/prof-hook.mjs` to load a profiler of one's own (docs/benchmarks.md
// profiles the distributed services this way). Not part of `npm test`.
import { execFile, fork, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import {
  createWriteStream,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { splitConnections } from '@baton/persistence';
import { SERVICES, seedBusinessData, type ServiceName } from '@baton/testing';
import { devApiKeys } from '../dev-api-keys.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));
const env = process.env;
const num = (name: string, fallback: number) => Number(env[name] || fallback);
const ROUNDS = num('BENCH_ROUNDS', 3);
const WARMUP = num('BENCH_WARMUP', 5);
const LONE = num('BENCH_LONE', 100);
const CONCURRENT = num('BENCH_CONCURRENT', 200);
const POLL_MS = num('BENCH_POLL_MS', 250);
const TIME_LIMIT_S = num('BENCH_TIME_LIMIT_S', 3600);
const PORT_BASE = num('BENCH_PORT_BASE', 4700);
const BATON_DB_CONNECTIONS = num('BENCH_BATON_DB_CONNECTIONS', 60);
const OUT = env['BENCH_OUT'] || `${root}docs/benchmarks/peer.json`;
const SYSTEMS = (env['BENCH_SYSTEMS'] || 'distributed,embedded,peer').split(',') as System[];
const KAFKA = {
  KAFKA_PORT: env['KAFKA_PORT'] || '29092',
  KAFKA_CONTROLLER_PORT: env['KAFKA_CONTROLLER_PORT'] || '29093',
  KAFKA_DATA_DIR: env['KAFKA_DATA_DIR'] || '/tmp/peerkafka/data',
};
const SERVER_URL = env['DATABASE_URL'] || 'postgres://postgres@127.0.0.1:5432/test';
const LOG_DIR = '/tmp/peer-bench/logs';
const CLK_TCK = Number((await run('getconf', ['CLK_TCK'])).stdout.trim()) || 100;
const BATON_REF = env['BENCH_BATON_REF'] || '';
const BASE_REF = env['BENCH_BASE_REF'] || 'HEAD';
const NODE_FLAGS = (env['BENCH_NODE_FLAGS'] || '').split(' ').filter(Boolean);
// One record signing key for every round: the broker keeps the registry records of earlier rounds.
const signingKey = randomBytes(32).toString('hex');

type System = 'distributed' | 'embedded' | 'embedded-base' | 'peer';
type Pass = 'lone' | 'concurrent';

const TRIGGER_DATA = {
  customerId: 'cus_1001',
  invoiceId: 'inv_2001',
  disputedAmount: 18,
  message: 'Charged twice',
};

// ---------------------------------------------------------------------------------------------
// Clean-up: whatever happens (an error, Ctrl-C, the time limit), what was started is stopped.

const cleanups: Array<() => Promise<void>> = [];
let cleaning: Promise<void> | undefined;
const cleanUp = () =>
  (cleaning ??= (async () => {
    for (const step of cleanups.splice(0).reverse()) await step().catch(logError);
  })());
const logError = (error: unknown) =>
  process.stderr.write(`${(error as Error)?.stack ?? String(error)}\n`);
const abort = (why: string) => {
  process.stderr.write(`\n${why}: stopping and cleaning up…\n`);
  void cleanUp().finally(() => process.exit(1));
};
process.once('SIGINT', () => abort('SIGINT'));
process.once('SIGTERM', () => abort('SIGTERM'));
setTimeout(() => abort(`time limit of ${TIME_LIMIT_S} s reached`), TIME_LIMIT_S * 1000).unref();

const say = (line: string) =>
  process.stdout.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------------
// Where Baton runs from: the working tree, or one commit's files (BENCH_BATON_REF).

let batonCommit = '';
async function batonRoot(): Promise<string> {
  if (!BATON_REF) {
    batonCommit = `${(await run('git', ['rev-parse', 'HEAD'], { cwd: root })).stdout.trim()} + working tree`;
    return root;
  }
  batonCommit = (await run('git', ['rev-parse', BATON_REF], { cwd: root })).stdout.trim();
  const dir = '/tmp/peer-bench/baton-src/';
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  cleanups.push(() => Promise.resolve(rmSync(dir, { recursive: true, force: true })));
  await run('bash', ['-c', `git -C '${root}' archive '${batonCommit}' | tar -x -C '${dir}'`]);
  symlinkSync(`${root}node_modules`, `${dir}node_modules`);
  say(`Baton runs from commit ${batonCommit.slice(0, 12)} (exported to ${dir})`);
  return dir;
}

let baseCommit = '';
/** Where `embedded-base` runs from: BENCH_BASE_REF's files, in a folder of this run's own. */
async function baseRoot(): Promise<string> {
  baseCommit = (await run('git', ['rev-parse', BASE_REF], { cwd: root })).stdout.trim();
  const dir = `/tmp/peer-bench/baton-base-${process.pid}/`;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  cleanups.push(() => Promise.resolve(rmSync(dir, { recursive: true, force: true })));
  await run('bash', ['-c', `git -C '${root}' archive '${baseCommit}' | tar -x -C '${dir}'`]);
  symlinkSync(`${root}node_modules`, `${dir}node_modules`);
  say(`embedded-base runs from commit ${baseCommit.slice(0, 12)} (exported to ${dir})`);
  return dir;
}

// ---------------------------------------------------------------------------------------------
// Databases: one per system, made fresh for each round, dropped at the end.

const dbUrl = (name: string) => {
  const url = new URL(SERVER_URL);
  url.pathname = `/${name}`;
  return url.toString();
};
async function admin<T extends pg.QueryResultRow>(sql: string, params: unknown[] = []) {
  const client = new pg.Client({ connectionString: SERVER_URL });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}
const ownDatabases = new Set<string>();
async function freshDatabase(name: string): Promise<string> {
  if (ownDatabases.size === 0)
    cleanups.push(async () => {
      for (const db of ownDatabases) await admin(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
    });
  ownDatabases.add(name);
  await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin(`CREATE DATABASE ${name}`);
  const url = dbUrl(name);
  await seedBusinessData(url);
  return url;
}

// ---------------------------------------------------------------------------------------------
// CPU accounting from /proc.

interface ProcStat {
  comm: string;
  ppid: number;
  ticks: number;
}
function procStat(pid: number): ProcStat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = text.lastIndexOf(')');
    const fields = text.slice(close + 2).split(' ');
    // After the comm: state(3) ppid(4) … utime(14) stime(15): indexes from field 3.
    return {
      comm: text.slice(text.indexOf('(') + 1, close),
      ppid: Number(fields[1]),
      ticks: Number(fields[11]) + Number(fields[12]),
    };
  } catch {
    return undefined;
  }
}
const cmdline = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
};
const allPids = () =>
  readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number);

/** Postgres backends of one database (their process title names it), or of all. */
function postgresPids(database?: string): number[] {
  return allPids().filter((pid) => {
    const stat = procStat(pid);
    if (stat?.comm !== 'postgres') return false;
    if (!database) return true;
    // "postgres: [<cluster>: ]<user> <database> 127.0.0.1(port) idle"
    return /^postgres: (?:\S+: )?\S+ (\S+) /.exec(cmdline(pid))?.[1] === database;
  });
}
const kafkaPid = () => {
  try {
    return [Number(readFileSync(`${KAFKA.KAFKA_DATA_DIR}/kafka.pid`, 'utf8').trim())];
  } catch {
    return [];
  }
};

type Groups = Record<string, () => number[]>;
type Snapshot = Record<string, Map<number, number>>;
function snapshot(groups: Groups): Snapshot {
  return Object.fromEntries(
    Object.entries(groups).map(([name, pids]) => [
      name,
      new Map(pids().map((pid) => [pid, procStat(pid)?.ticks ?? 0])),
    ]),
  );
}
/** CPU ms per group between two snapshots (a process that appeared counts whole). */
function cpuMs(before: Snapshot, after: Snapshot): Record<string, number> {
  return Object.fromEntries(
    Object.entries(after).map(([name, now]) => {
      let ticks = 0;
      for (const [pid, t] of now) ticks += t - (before[name]?.get(pid) ?? 0);
      return [name, (ticks * 1000) / CLK_TCK];
    }),
  );
}
function machineTicks(): { busy: number; total: number } {
  const [cpu] = readFileSync('/proc/stat', 'utf8').split('\n');
  const values = cpu!.trim().split(/\s+/).slice(1).map(Number);
  const idle = values[3]! + values[4]!;
  const total = values.reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

/**
 * Before a pass: waits (at most BENCH_QUIET_WAIT_S, default 30) until the machine is below
 * BENCH_QUIET_BUSY % busy (default 30) over a second, so a pass does not start on top of a
 * burst of other work; the pass records what the rest of the machine did anyway.
 */
async function quiet(): Promise<void> {
  const deadline = Date.now() + num('BENCH_QUIET_WAIT_S', 30) * 1000;
  for (;;) {
    const before = machineTicks();
    await sleep(1000);
    const after = machineTicks();
    const busy = ((after.busy - before.busy) / (after.total - before.total)) * 100;
    if (busy < num('BENCH_QUIET_BUSY', 30)) return;
    if (Date.now() > deadline) {
      say(`machine still ${Math.round(busy)} % busy: measuring anyway`);
      return;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Statistics.

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[
    Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  ]!;
};
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const round1 = (value: number) => Math.round(value * 10) / 10;

interface PassResult {
  system: System;
  round: number;
  pass: Pass;
  n: number;
  completed: number;
  notCompleted: Record<string, number>;
  /** Lone: each run's trigger → completed; concurrent: each run's fire → completed. */
  p50: number;
  p95: number;
  p99: number;
  max: number;
  wallMs: number;
  runsPerSecond: number;
  cpuMs: Record<string, number>;
  cpuMsPerRun: Record<string, number>;
  machineBusyPercent: number;
  /** The machine's busy time not ours (other work on the machine), % of its capacity. */
  othersBusyPercent: number;
  /** This bench process (triggers, polling, or the peer's IPC). */
  driverCpuMs: number;
  loadavg1: number;
  pollRequests?: number;
}

/** Runs one pass with CPU measured around it. */
async function measured(
  system: System,
  round: number,
  pass: Pass,
  groups: Groups,
  background: Groups,
  body: () => Promise<{
    durations: number[];
    statuses: string[];
    wallMs: number;
    pollRequests?: number;
  }>,
): Promise<PassResult> {
  await quiet();
  const machineBefore = machineTicks();
  const driverBefore = process.cpuUsage();
  const before = snapshot(groups);
  const backgroundBefore = snapshot(background);
  const { durations, statuses, wallMs, pollRequests } = await body();
  const after = snapshot(groups);
  const backgroundAfter = snapshot(background);
  const machineAfter = machineTicks();
  const driver = process.cpuUsage(driverBefore);
  const cpu = cpuMs(before, after);
  cpu['all'] = Object.values(cpu).reduce((a, b) => a + b, 0);
  // Not the system's own (the broker idling while embedded or the peer runs): not in `all`.
  const idle = cpuMs(backgroundBefore, backgroundAfter);
  for (const [name, ms] of Object.entries(idle)) cpu[`${name} (idle, not counted)`] = ms;
  // What the rest of the machine did meanwhile: its busy time less ours and this driver's.
  const busyMs = ((machineAfter.busy - machineBefore.busy) * 1000) / CLK_TCK;
  const capacityMs = ((machineAfter.total - machineBefore.total) * 1000) / CLK_TCK;
  const oursMs =
    cpu['all']! +
    Object.values(idle).reduce((a, b) => a + b, 0) +
    (driver.user + driver.system) / 1000;
  const n = statuses.length;
  const notCompleted: Record<string, number> = {};
  for (const status of statuses)
    if (status !== 'completed') notCompleted[status] = (notCompleted[status] ?? 0) + 1;
  const result: PassResult = {
    system,
    round,
    pass,
    n,
    completed: statuses.filter((s) => s === 'completed').length,
    notCompleted,
    p50: round1(percentile(durations, 50)),
    p95: round1(percentile(durations, 95)),
    p99: round1(percentile(durations, 99)),
    max: round1(Math.max(...durations)),
    wallMs: Math.round(wallMs),
    // Completed runs only: a run that escalated did not finish the work.
    runsPerSecond: round1((durations.length / wallMs) * 1000),
    cpuMs: Object.fromEntries(Object.entries(cpu).map(([k, v]) => [k, Math.round(v)])),
    cpuMsPerRun: Object.fromEntries(Object.entries(cpu).map(([k, v]) => [k, round1(v / n)])),
    machineBusyPercent: Math.round(
      ((machineAfter.busy - machineBefore.busy) / (machineAfter.total - machineBefore.total)) * 100,
    ),
    othersBusyPercent: Math.max(0, Math.round(((busyMs - oursMs) / capacityMs) * 100)),
    driverCpuMs: Math.round((driver.user + driver.system) / 1000),
    loadavg1: round1(loadavg()[0]!),
    ...(pollRequests !== undefined ? { pollRequests } : {}),
  };
  const bad = Object.keys(notCompleted).length
    ? ` NOT COMPLETED ${JSON.stringify(notCompleted)}`
    : '';
  say(
    `[${system} r${round}] ${pass}: n=${n} p50 ${result.p50} p95 ${result.p95} p99 ${result.p99} ms, ${result.runsPerSecond} runs/s, CPU/run ${JSON.stringify(result.cpuMsPerRun)} ms, load ${result.loadavg1}, others ${result.othersBusyPercent} %${bad}`,
  );
  return result;
}

// ---------------------------------------------------------------------------------------------
// Baton (both forms): triggers over HTTP, completion from the runs list.

interface RunSummary {
  id: string;
  status: string;
  createdAt: string;
  updatedAt: string;
  endedAt: string | null;
}
/** Where a run settled for the bench: ended, or waiting for a person (it will not go on alone). */
interface Settled {
  status: string;
  createdAt: number;
  /** endedAt, or for a run waiting for review the time it started to wait (updatedAt). */
  at: number;
}
const ENDED = new Set(['completed', 'rejected', 'failed', 'cancelled']);

class BatonClient {
  private serial = 0;
  pollRequests = 0;
  constructor(
    private readonly url: string,
    private readonly publisher: string,
    private readonly reader: string,
    private readonly label: string,
  ) {}

  /** The README's trigger, for a tenant of its own (the effect limits count per tenant). */
  async trigger(): Promise<string> {
    this.serial += 1;
    const body = JSON.stringify({
      schemaVersion: 1,
      idempotencyKey: `peer-bench-${randomUUID()}`,
      workflowId: 'billing-dispute',
      tenantId: `bench-${this.label}-${process.pid}-${this.serial}`,
      eventType: 'billing.dispute.opened',
      data: TRIGGER_DATA,
    });
    for (let attempt = 0; ; attempt++) {
      const response = await fetch(`${this.url}/v1/triggers`, {
        method: 'POST',
        headers: { authorization: `Bearer ${this.publisher}`, 'content-type': 'application/json' },
        body,
      });
      if (response.status === 202) return ((await response.json()) as { runId: string }).runId;
      const text = await response.text();
      if (response.status !== 503 || attempt >= 20)
        throw new Error(`trigger: ${response.status} ${text}`);
      await sleep(500);
    }
  }

  /**
   * Waits until every run in `ids` has settled (ended, or waiting for review), polling the runs
   * list (runs created since `since`, newest first, 200 a page) every POLL_MS. A run still
   * under way after `waitMs` is given as `unfinished`.
   */
  async settled(ids: Set<string>, since: Date, waitMs: number): Promise<Map<string, Settled>> {
    const found = new Map<string, Settled>();
    const deadline = Date.now() + waitMs;
    for (;;) {
      let cursor: string | null = null;
      do {
        const query = new URLSearchParams({
          workflowId: 'billing-dispute',
          since: since.toISOString(),
          limit: '200',
          ...(cursor ? { cursor } : {}),
        });
        this.pollRequests += 1;
        const response = await fetch(`${this.url}/v1/runs?${query}`, {
          headers: { authorization: `Bearer ${this.reader}` },
        });
        if (response.status !== 200)
          throw new Error(`GET /v1/runs: ${response.status} ${await response.text()}`);
        const page = (await response.json()) as { items: RunSummary[]; nextCursor: string | null };
        for (const item of page.items) {
          if (!ids.has(item.id)) continue;
          const at =
            item.endedAt && ENDED.has(item.status)
              ? item.endedAt
              : item.status === 'waiting-for-review'
                ? item.updatedAt
                : undefined;
          if (at)
            found.set(item.id, {
              status: item.status,
              createdAt: Date.parse(item.createdAt),
              at: Date.parse(at),
            });
        }
        cursor = page.nextCursor;
      } while (cursor && found.size < ids.size);
      if (found.size === ids.size) return found;
      if (Date.now() > deadline) {
        say(`${ids.size - found.size} of ${ids.size} runs still under way after ${waitMs} ms`);
        for (const id of ids)
          if (!found.has(id)) found.set(id, { status: 'unfinished', createdAt: NaN, at: NaN });
        return found;
      }
      await sleep(POLL_MS);
    }
  }

  /** One at a time; each completed run's ledger time (createdAt → endedAt). */
  async lone(n: number) {
    const durations: number[] = [];
    const statuses: string[] = [];
    const started = performance.now();
    for (let i = 0; i < n; i++) {
      const since = new Date(Date.now() - 1000);
      const id = await this.trigger();
      const run = (await this.settled(new Set([id]), since, 60_000)).get(id)!;
      if (run.status === 'completed') durations.push(run.at - run.createdAt);
      statuses.push(run.status);
      await sleep(Math.random() * 20);
    }
    return { durations, statuses, wallMs: performance.now() - started };
  }

  /** All at once; each completed run's fire → endedAt, and the wall time to the last. */
  async concurrent(n: number) {
    const fired = Date.now();
    const since = new Date(fired - 1000);
    const ids = await Promise.all(Array.from({ length: n }, () => this.trigger()));
    const runs = [...(await this.settled(new Set(ids), since, 60_000 + n * 500)).values()];
    const ends = runs.filter((r) => r.status === 'completed').map((r) => r.at);
    return {
      durations: ends.map((end) => end - fired),
      statuses: runs.map((r) => r.status),
      wallMs: Math.max(...ends) - fired,
    };
  }
}

async function waitReady(url: string, what: string, child?: ChildProcess, waitMs = 120_000) {
  const deadline = Date.now() + waitMs;
  for (;;) {
    if (child && child.exitCode !== null) throw new Error(`${what} exited with ${child.exitCode}`);
    const status = await fetch(`${url}/health/ready`).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 200) return;
    if (Date.now() > deadline) throw new Error(`${what} not ready after ${waitMs} ms`);
    await sleep(250);
  }
}

async function batonPasses(
  system: System,
  round: number,
  client: BatonClient,
  groups: Groups,
  background: Groups,
): Promise<PassResult[]> {
  for (let i = 0; i < WARMUP; i++) await client.lone(1);
  const results: PassResult[] = [];
  client.pollRequests = 0;
  results.push(
    await measured(system, round, 'lone', groups, background, async () => ({
      ...(await client.lone(LONE)),
      pollRequests: client.pollRequests,
    })),
  );
  await sleep(2000);
  client.pollRequests = 0;
  results.push(
    await measured(system, round, 'concurrent', groups, background, async () => ({
      ...(await client.concurrent(CONCURRENT)),
      pollRequests: client.pollRequests,
    })),
  );
  return results;
}

/** Stops a child process: SIGTERM, then SIGKILL after `graceMs`. */
async function stopChild(child: ChildProcess, graceMs = 60_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

// --- Baton distributed: the six processes of `npm run start:distributed`, on our own broker.

async function ensureKafka(): Promise<string> {
  const kafkaEnv = { ...process.env, ...KAFKA };
  const status = () =>
    run('bash', ['deploy/local/kafka.sh', 'status'], { cwd: root, env: kafkaEnv }).then(
      () => true,
      () => false,
    );
  if (!(await status())) {
    say(`starting a broker of our own on 127.0.0.1:${KAFKA.KAFKA_PORT} (${KAFKA.KAFKA_DATA_DIR})`);
    await run('bash', ['deploy/local/kafka.sh', 'start'], {
      cwd: root,
      env: kafkaEnv,
      timeout: 600_000,
    });
    cleanups.push(async () => {
      say('stopping the broker');
      await run('bash', ['deploy/local/kafka.sh', 'stop'], { cwd: root, env: kafkaEnv });
    });
  }
  return `127.0.0.1:${KAFKA.KAFKA_PORT}`;
}

async function distributedRound(
  round: number,
  brokers: string,
  batonDir: string,
): Promise<PassResult[]> {
  const database = 'peer_bench_distributed';
  const url = await freshDatabase(database);
  const split = splitConnections(BATON_DB_CONNECTIONS, {
    trigger: 3,
    context: 4,
    decision: 3,
    action: 4,
    validation: 2,
    escalation: 2,
  });
  if (!split.ok) throw new Error(split.problem);
  const { keys, setting } = devApiKeys(['publisher', 'reviewer'], '');
  const port = (service: ServiceName) => PORT_BASE + SERVICES.indexOf(service);
  const children = new Map<ServiceName, ChildProcess>();
  const stop = async () => {
    say('[distributed] stopping the six services');
    await Promise.all([...children.values()].map((child) => stopChild(child)));
  };
  cleanups.push(stop);
  mkdirSync(LOG_DIR, { recursive: true });
  say(`[distributed r${round}] starting the six services (logs in ${LOG_DIR})`);
  const start = async (service: ServiceName) => {
    const log = createWriteStream(`${LOG_DIR}/${service}.log`, { flags: 'a' });
    const child = spawn(
      process.execPath,
      [
        ...NODE_FLAGS,
        '--import',
        `${batonDir}tools/ts-register.mjs`,
        `services/${service}/src/main.ts`,
      ],
      {
        cwd: batonDir,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          ...process.env,
          KAFKA_BROKERS: brokers,
          DATABASE_URL: url,
          BUSINESS_DATABASE_URL: url,
          BATON_DB_CONNECTIONS: String(split.shares[service]),
          BATON_API_KEYS: setting,
          BATON_SIGNING_KEY: signingKey,
          BATON_RATE_LIMIT_PER_MINUTE: '0',
          LOG_LEVEL: 'warn',
          PORT: String(port(service)),
          HOST: '127.0.0.1',
        },
      },
    );
    child.stdout!.pipe(log);
    child.stderr!.pipe(log);
    children.set(service, child);
    await waitReady(
      `http://127.0.0.1:${port(service)}`,
      `${service} (see ${LOG_DIR}/${service}.log)`,
      child,
    );
  };
  await start('trigger'); // creates the topics the others subscribe to
  await Promise.all(SERVICES.filter((s) => s !== 'trigger').map(start));
  const servicePids = [...children.values()].map((child) => child.pid!);
  const client = new BatonClient(
    `http://127.0.0.1:${port('trigger')}`,
    keys.publisher,
    keys.reviewer,
    `d${round}`,
  );
  try {
    return await batonPasses(
      'distributed',
      round,
      client,
      {
        node: () => servicePids,
        postgres: () => postgresPids(database),
        kafka: kafkaPid,
      },
      {},
    );
  } finally {
    cleanups.splice(cleanups.indexOf(stop), 1);
    await stop();
  }
}

// --- Baton embedded: what `npm start` runs, in one process of its own.

async function embeddedRound(
  round: number,
  batonDir: string,
  system: 'embedded' | 'embedded-base' = 'embedded',
): Promise<PassResult[]> {
  const { keys, setting } = devApiKeys(['publisher', 'reviewer'], '');
  const base = PORT_BASE + 10;
  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    BATON_API_KEYS: setting,
    BATON_PORT_BASE: String(base),
    BENCH_BATON_ROOT: batonDir,
    BATON_RATE_LIMIT_PER_MINUTE: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
  };
  // In-process transport and PGlite, as `npm start` without these.
  for (const name of [
    'DATABASE_URL',
    'BUSINESS_DATABASE_URL',
    'KAFKA_BROKERS',
    'BATON_EMBEDDED_DATA_DIR',
  ])
    delete childEnv[name];
  mkdirSync(LOG_DIR, { recursive: true });
  say(`[${system} r${round}] starting`);
  const child = fork(`${root}tools/bench/peer/embedded-child.ts`, {
    cwd: batonDir,
    execArgv: [...NODE_FLAGS, '--import', `${batonDir}tools/ts-register.mjs`],
    env: childEnv,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const stop = async () => {
    say(`[${system}] stopping`);
    await stopChild(child);
  };
  cleanups.push(stop);
  const url = `http://127.0.0.1:${base}`;
  try {
    await waitReady(url, 'embedded Baton', child);
    const client = new BatonClient(url, keys.publisher, keys.reviewer, `e${round}`);
    return await batonPasses(
      system,
      round,
      client,
      {
        node: () => [child.pid!],
      },
      { kafka: kafkaPid },
    );
  } finally {
    cleanups.splice(cleanups.indexOf(stop), 1);
    await stop();
  }
}

// --- The peer: LangGraph.js with the Postgres checkpointer, in a process of its own.

interface PeerAnswer {
  ready?: boolean;
  error?: string;
  durations?: number[];
  statuses?: string[];
  steps?: number[];
  wallMs?: number;
}
async function peerRound(round: number): Promise<PassResult[]> {
  const database = 'peer_bench_langgraph';
  const url = await freshDatabase(database);
  say(`[peer r${round}] starting`);
  const child = fork(`${root}tools/bench/peer/peer-child.ts`, {
    cwd: root,
    execArgv: ['--import', `${root}tools/ts-register.mjs`],
    env: { ...process.env, PEER_DATABASE_URL: url },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const stop = async () => {
    say('[peer] stopping');
    await stopChild(child, 10_000);
  };
  cleanups.push(stop);
  const answer = (waitMs: number) =>
    new Promise<PeerAnswer>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`peer: no answer in ${waitMs} ms`)), waitMs);
      child.once('message', (message: PeerAnswer) => {
        clearTimeout(timer);
        if (message.error) reject(new Error(`peer: ${message.error}`));
        else resolve(message);
      });
      child.once('exit', (code) => reject(new Error(`peer exited with ${code}`)));
    });
  const ask = async (pass: Pass, n: number, waitMs: number) => {
    const reply = answer(waitMs);
    child.send({ pass, n });
    const result = await reply;
    const steps = new Set(result.steps);
    if (steps.size > 1 || (steps.size === 1 && !steps.has(10)))
      throw new Error(`peer: completed runs took ${[...steps].join(', ')} steps, not 10`);
    return { durations: result.durations!, statuses: result.statuses!, wallMs: result.wallMs! };
  };
  try {
    await answer(120_000);
    await ask('lone', WARMUP, 60_000);
    const groups = {
      node: () => [child.pid!],
      postgres: () => postgresPids(database),
    };
    const background = { kafka: kafkaPid };
    const lone = await measured('peer', round, 'lone', groups, background, () =>
      ask('lone', LONE, 60_000 * LONE),
    );
    await sleep(2000);
    const concurrent = await measured('peer', round, 'concurrent', groups, background, () =>
      ask('concurrent', CONCURRENT, 60_000 + CONCURRENT * 500),
    );
    return [lone, concurrent];
  } finally {
    cleanups.splice(cleanups.indexOf(stop), 1);
    await stop();
  }
}

// ---------------------------------------------------------------------------------------------

const startedAt = new Date();
say(
  `peer bench: ${ROUNDS} rounds × ${SYSTEMS.join(', ')}; lone ${LONE}, concurrent ${CONCURRENT}, warm-up ${WARMUP}, poll ${POLL_MS} ms`,
);
const results: PassResult[] = [];
try {
  const batonDir = await batonRoot();
  const baseDir = SYSTEMS.includes('embedded-base') ? await baseRoot() : '';
  const brokers = SYSTEMS.includes('distributed') ? await ensureKafka() : '';
  for (let round = 1; round <= ROUNDS; round++) {
    // Interleaved: the order of the systems rotates each round.
    const order = SYSTEMS.map((_, i) => SYSTEMS[(i + round - 1) % SYSTEMS.length]!);
    for (const system of order) {
      if (system === 'distributed')
        results.push(...(await distributedRound(round, brokers, batonDir)));
      else if (system === 'embedded') results.push(...(await embeddedRound(round, batonDir)));
      else if (system === 'embedded-base')
        results.push(...(await embeddedRound(round, baseDir, 'embedded-base')));
      else results.push(...(await peerRound(round)));
      await sleep(3000); // let the machine settle
    }
  }
} catch (error) {
  logError(error);
  await cleanUp();
  process.exit(1);
}
await cleanUp();

// ---------------------------------------------------------------------------------------------
// Medians over the rounds, and Baton ÷ peer.

interface Summary {
  loneP50: number;
  loneP95: number;
  loneP99: number;
  concurrentRunsPerSecond: number;
  concurrentP50: number;
  concurrentP99: number;
  cpuMsPerRunConcurrent: Record<string, number>;
  cpuMsPerRunLone: Record<string, number>;
  loadavg1Concurrent: number;
  machineBusyPercentConcurrent: number;
  othersBusyPercent: number;
  notCompleted: number;
}
const of = (system: System, pass: Pass) =>
  results.filter((r) => r.system === system && r.pass === pass);
const medianOf = (rows: PassResult[], pick: (r: PassResult) => number) =>
  round1(median(rows.map(pick)));
const cpuMedians = (rows: PassResult[]) =>
  Object.fromEntries(
    Object.keys(rows[0]?.cpuMsPerRun ?? {}).map((group) => [
      group,
      medianOf(rows, (r) => r.cpuMsPerRun[group] ?? 0),
    ]),
  );
const summaries = Object.fromEntries(
  SYSTEMS.map((system): [System, Summary] => {
    const lone = of(system, 'lone');
    const concurrent = of(system, 'concurrent');
    return [
      system,
      {
        loneP50: medianOf(lone, (r) => r.p50),
        loneP95: medianOf(lone, (r) => r.p95),
        loneP99: medianOf(lone, (r) => r.p99),
        concurrentRunsPerSecond: medianOf(concurrent, (r) => r.runsPerSecond),
        concurrentP50: medianOf(concurrent, (r) => r.p50),
        concurrentP99: medianOf(concurrent, (r) => r.p99),
        cpuMsPerRunConcurrent: cpuMedians(concurrent),
        cpuMsPerRunLone: cpuMedians(lone),
        loadavg1Concurrent: medianOf(concurrent, (r) => r.loadavg1),
        machineBusyPercentConcurrent: medianOf(concurrent, (r) => r.machineBusyPercent),
        othersBusyPercent: medianOf([...lone, ...concurrent], (r) => r.othersBusyPercent),
        notCompleted: [...lone, ...concurrent].reduce((a, r) => a + r.n - r.completed, 0),
      },
    ];
  }),
) as Partial<Record<System, Summary>>;
const ratio = (a: number | undefined, b: number | undefined) =>
  a !== undefined && b ? Math.round((a / b) * 100) / 100 : null;
const peer = summaries.peer;
const ratios = Object.fromEntries(
  (['distributed', 'embedded'] as const)
    .filter((system) => summaries[system] && peer)
    .map((system) => {
      const s = summaries[system]!;
      return [
        system,
        {
          concurrentRunsPerSecond: ratio(s.concurrentRunsPerSecond, peer!.concurrentRunsPerSecond),
          loneP50: ratio(s.loneP50, peer!.loneP50),
          loneP99: ratio(s.loneP99, peer!.loneP99),
          cpuMsPerRunConcurrentAll: ratio(
            s.cpuMsPerRunConcurrent['all'],
            peer!.cpuMsPerRunConcurrent['all'],
          ),
        },
      ];
    }),
);
// A change to embedded mode, before (embedded-base) and after (embedded), in the same rounds.
const base = summaries['embedded-base'];
const embedded = summaries.embedded;
const change =
  base && embedded
    ? {
        concurrentRunsPerSecond: ratio(
          embedded.concurrentRunsPerSecond,
          base.concurrentRunsPerSecond,
        ),
        loneP50: ratio(embedded.loneP50, base.loneP50),
        loneP99: ratio(embedded.loneP99, base.loneP99),
        cpuMsPerRunConcurrentAll: ratio(
          embedded.cpuMsPerRunConcurrent['all'],
          base.cpuMsPerRunConcurrent['all'],
        ),
      }
    : undefined;

const pad = (value: unknown, width: number) => String(value).padStart(width);
const lines = [
  '',
  `medians over ${ROUNDS} rounds (lone ms: trigger → completed; concurrent: ${CONCURRENT} at once)`,
  `${'system'.padEnd(14)}${pad('lone p50', 10)}${pad('p95', 8)}${pad('p99', 8)}${pad('runs/s', 9)}${pad('conc p50', 10)}${pad('conc p99', 10)}  CPU ms/run (concurrent) node / postgres / kafka / all`,
  ...Object.entries(summaries).map(([system, s]) => {
    const cpu = s.cpuMsPerRunConcurrent;
    const part = (group: string) => cpu[group] ?? '–';
    return `${system.padEnd(14)}${pad(s.loneP50, 10)}${pad(s.loneP95, 8)}${pad(s.loneP99, 8)}${pad(s.concurrentRunsPerSecond, 9)}${pad(s.concurrentP50, 10)}${pad(s.concurrentP99, 10)}  ${part('node')} / ${part('postgres')} / ${part('kafka')} / ${part('all')}  (others ${s.othersBusyPercent} %)`;
  }),
  ...Object.entries(ratios).map(
    ([system, r]) =>
      `${system} ÷ peer: runs/s ${r.concurrentRunsPerSecond}×, lone p50 ${r.loneP50}×, lone p99 ${r.loneP99}×, CPU/run ${r.cpuMsPerRunConcurrentAll}×`,
  ),
  ...(change
    ? [
        `embedded ÷ embedded-base (${baseCommit.slice(0, 12)}): runs/s ${change.concurrentRunsPerSecond}×, lone p50 ${change.loneP50}×, lone p99 ${change.loneP99}×, CPU/run ${change.cpuMsPerRunConcurrentAll}×`,
      ]
    : []),
  '',
];
process.stdout.write(lines.join('\n'));

mkdirSync(dirname(OUT), { recursive: true });
writeFileSync(
  OUT,
  JSON.stringify(
    {
      startedAt: startedAt.toISOString(),
      endedAt: new Date().toISOString(),
      machine: {
        cpus: cpus().length,
        model: cpus()[0]?.model,
        memoryGiB: round1(totalmem() / 2 ** 30),
        node: process.version,
      },
      baton: batonCommit,
      ...(baseCommit ? { embeddedBase: baseCommit } : {}),
      settings: {
        rounds: ROUNDS,
        warmup: WARMUP,
        lone: LONE,
        concurrent: CONCURRENT,
        pollMs: POLL_MS,
        batonDbConnections: BATON_DB_CONNECTIONS,
        peerPoolSize: num('PEER_POOL_SIZE', 10),
        peerDurability: env['PEER_DURABILITY'] || 'sync',
        systems: SYSTEMS,
        ...(NODE_FLAGS.length ? { nodeFlags: NODE_FLAGS } : {}),
      },
      summaries,
      ratios,
      ...(change ? { embeddedChange: change } : {}),
      passes: results,
    },
    null,
    2,
  ) + '\n',
);
say(`written: ${OUT.replace(root, '')}`);
process.exit(0);
