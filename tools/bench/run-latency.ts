// Run latency: how long one billing-dispute run takes from trigger to completed, on a running
// Baton (embedded `npm start`, or the six processes of `npm run start:distributed`). Loopback
// only and bounded: SEQUENTIAL runs one at a time, timed by the run ledger (`createdAt` →
// `endedAt`, stamped by the trigger service, so polling adds nothing), then CONCURRENT runs fired
// at once, timed by this client; every run must complete (60 s, plus 0.5 s per concurrent run).
//
//   npm run bench:runs -- [--sequential 100] [--concurrent 200] [--label embedded]
//
// Keys: BATON_API_KEY (publisher or admin) and BATON_REVIEWER_KEY (or one admin key), else the
// dev keys `npm start` writes to .baton/dev-keys.env. Trigger URL: BATON_TRIGGER_URL (default
// http://127.0.0.1:3000). It writes to the demo billing system (one $18 credit and one reply
// per run), as any billing-dispute run does.
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { useDevKeys } from '../../libs/cli/src/dev-keys.js';

const { values } = parseArgs({
  options: {
    sequential: { type: 'string', default: '100' },
    concurrent: { type: 'string', default: '200' },
    label: { type: 'string', default: '' },
  },
});
const sequential = Number(values.sequential);
const concurrent = Number(values.concurrent);
const triggerUrl = process.env['BATON_TRIGGER_URL'] ?? 'http://127.0.0.1:3000';
const env = { ...process.env };
useDevKeys(env, triggerUrl); // the keys npm start wrote, when none are set
const publisherKey = env['BATON_API_KEY'];
const readerKey = env['BATON_REVIEWER_KEY'] ?? publisherKey;
if (!publisherKey) throw new Error('no key: set BATON_API_KEY or start Baton with npm start');

interface Run {
  status: string;
  createdAt: string;
  endedAt: string | null;
}

async function trigger(): Promise<string> {
  const response = await fetch(`${triggerUrl}/v1/triggers`, {
    method: 'POST',
    headers: { authorization: `Bearer ${publisherKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      schemaVersion: 1,
      idempotencyKey: `bench-${randomUUID()}`,
      workflowId: 'billing-dispute',
      tenantId: 'bench',
      eventType: 'billing.dispute.opened',
      data: {
        customerId: 'cus_1001',
        invoiceId: 'inv_2001',
        disputedAmount: 18,
        message: 'Charged twice',
      },
    }),
  });
  if (response.status !== 202)
    throw new Error(`trigger: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { runId: string }).runId;
}

/** Polls the ledger until the run ended; its ledger duration in ms. */
async function ended(runId: string, waitMs = 60_000): Promise<number> {
  const deadline = Date.now() + waitMs;
  while (Date.now() < deadline) {
    const response = await fetch(`${triggerUrl}/v1/runs/${runId}`, {
      headers: { authorization: `Bearer ${readerKey}` },
    });
    if (response.status === 200) {
      const run = (await response.json()) as Run;
      if (run.endedAt) {
        if (run.status !== 'completed') throw new Error(`run ${runId} ended ${run.status}`);
        return Date.parse(run.endedAt) - Date.parse(run.createdAt);
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`run ${runId} did not end within ${waitMs / 1000} s`);
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
const summary = (name: string, durations: number[], wallMs?: number) => {
  const sorted = [...durations].sort((a, b) => a - b);
  const rate = wallMs ? `, ${((durations.length / wallMs) * 1000).toFixed(1)} runs/s` : '';
  return `${name}: n=${sorted.length} p50 ${percentile(sorted, 50)} ms, p95 ${percentile(sorted, 95)} ms, p99 ${percentile(sorted, 99)} ms, max ${sorted.at(-1)} ms${rate}`;
};

const label = values.label ? `[${values.label}] ` : '';
for (let i = 0; i < 5; i++) await ended(await trigger()); // warm-up
const one: number[] = [];
for (let i = 0; i < sequential; i++) {
  one.push(await ended(await trigger()));
  await new Promise((resolve) => setTimeout(resolve, Math.random() * 50));
}
console.log(label + summary('sequential (trigger → completed, one run at a time)', one));
// Fired at once: timed by this client, from the fire to the end seen by polling (every 25 ms),
// because under load a trigger may wait at the HTTP API before the ledger records the run.
const started = performance.now();
const waitMs = 60_000 + concurrent * 500;
const many = await Promise.all(
  Array.from({ length: concurrent }, async () => {
    const runId = await trigger();
    await ended(runId, waitMs);
    return Math.round(performance.now() - started);
  }),
);
const wall = performance.now() - started;
console.log(
  label + summary(`concurrent (${concurrent} runs fired at once, fire → seen ended)`, many, wall),
);
