// The decision service as `npm run bench:slow-model` runs it: one process, started exactly as
// services/decision/src/main.ts starts it (`runService(decisionService)`, settings from the
// environment), plus a reporter that sends the bench, over the IPC channel, what only the
// process itself can see: its CPU time and event-loop use, the step subscription's stats (in
// flight, buffered, group joins), the model admission gate's stats and the database pool (size,
// checked out, waiting, and the backend pids, so the bench can look them up in
// pg_stat_activity). Stops when the bench sends `stop`: the service drains and closes.
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import type { DataSource } from 'typeorm';
import type { MessagingRuntime } from '@baton/messaging';
import { DATA_SOURCE, MESSAGING_RUNTIME, runService } from '@baton/service-kit';
import { ModelAdmission } from '../../../services/decision/src/clients/model-admission.js';
import { decisionService } from '../../../services/decision/src/decision.service-definition.js';

interface PgPool {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
  /** pg's own list of the pool's clients (not in its typings); each knows its backend's pid. */
  _clients: Array<{ processID: number }>;
}

/** What the process reports, every BENCH_REPORT_MS and once more on request. */
export interface DecisionProcessReport {
  type: 'report';
  at: number;
  /** process.cpuUsage(), microseconds since the process started. */
  cpu: { user: number; system: number };
  /** performance.eventLoopUtilization() since the process started. */
  elu: { idle: number; active: number };
  /** Event-loop delay since the previous report, ms. */
  loopDelay: { p50: number; p99: number; max: number };
  rssBytes: number;
  subscription:
    { running: number; buffered: number; peakRunning: number; groupJoins: number } | undefined;
  admission: { inFlight: number; waiting: number; tokensInWindow: number; peakInFlight: number };
  pool: { total: number; idle: number; waiting: number; pids: number[] };
}

const model = process.env['BENCH_MODEL'] ?? 'gpt-4.1-mini';
const running = await runService(decisionService);
const runtime = running.app.get<MessagingRuntime>(MESSAGING_RUNTIME);
const admission = running.app.get(ModelAdmission);
const pool = (running.app.get<DataSource>(DATA_SOURCE).driver as unknown as { master: PgPool })
  .master;
const delay = monitorEventLoopDelay({ resolution: 10 });
delay.enable();

const report = (): DecisionProcessReport => {
  const cpu = process.cpuUsage();
  const elu = performance.eventLoopUtilization();
  const loopDelay = {
    p50: delay.percentile(50) / 1e6,
    p99: delay.percentile(99) / 1e6,
    max: delay.max / 1e6,
  };
  delay.reset();
  return {
    type: 'report',
    at: Date.now(),
    cpu: { user: cpu.user, system: cpu.system },
    elu: { idle: elu.idle, active: elu.active },
    loopDelay,
    rssBytes: process.memoryUsage().rss,
    subscription: runtime.stats,
    admission: admission.stats(model),
    pool: {
      total: pool.totalCount,
      idle: pool.idleCount,
      waiting: pool.waitingCount,
      pids: pool._clients.map((client) => client.processID),
    },
  };
};

const send = (message: unknown) => {
  if (process.connected) process.send?.(message);
};
setInterval(() => send(report()), Number(process.env['BENCH_REPORT_MS'] ?? 100)).unref();
process.on('message', (message: { type?: string }) => {
  if (message?.type === 'report') send(report());
  if (message?.type === 'stop') {
    void running
      .close()
      .catch((error: unknown) => process.stderr.write(`closing the service: ${String(error)}\n`))
      .finally(() => {
        send({ type: 'stopped' });
        process.exit(0);
      });
  }
});
send({ ...report(), type: 'ready', url: running.url });
