// The peer's process in the side-by-side benchmark (started by tools/bench/peer-bench.ts, so its
// CPU is counted apart from the bench's): the LangGraph billing-dispute graph on its own
// database (PEER_DATABASE_URL, already seeded with the demo business data), with the Postgres
// checkpointer in schema `langgraph` (a pool of PEER_POOL_SIZE, default 10, and as many again for
// the business database: half read-only, half for the writes). Commands arrive over IPC: { pass: 'lone' | 'concurrent',
// n }; it answers { durations (ms, in-process stamps, each run's invoke start → end), wallMs,
// statuses } or { error }.
import { randomUUID } from 'node:crypto';
import { PostgresSaver } from '@langchain/langgraph-checkpoint-postgres';
import pg from 'pg';
import {
  EFFECT_LEDGER_DDL,
  READ_SESSION,
  WRITE_SESSION,
  billingDisputeGraph,
  runDispute,
} from './billing-graph.js';

const url = process.env['PEER_DATABASE_URL'];
if (!url || !process.send) throw new Error('peer-child: PEER_DATABASE_URL and an IPC channel');
const poolSize = Number(process.env['PEER_POOL_SIZE'] || 10);
const durability = (process.env['PEER_DURABILITY'] || 'sync') as 'sync' | 'async' | 'exit';

const checkpointPool = new pg.Pool({ connectionString: url, max: poolSize });
// The business pools together as large as the checkpointer's.
const business = {
  read: new pg.Pool({ connectionString: url, max: Math.ceil(poolSize / 2), ...READ_SESSION }),
  write: new pg.Pool({ connectionString: url, max: Math.ceil(poolSize / 2), ...WRITE_SESSION }),
};
const checkpointer = new PostgresSaver(checkpointPool, undefined, { schema: 'langgraph' });
await checkpointer.setup();
await business.write.query(EFFECT_LEDGER_DDL);
const graph = billingDisputeGraph(business, checkpointer);

let serial = 0;
/** The README's trigger, for a tenant of its own (the effect limits count per tenant). */
async function one(): Promise<{ ms: number; status: string; steps: number }> {
  serial += 1;
  const started = performance.now();
  try {
    const { outcome, steps } = await runDispute(
      graph,
      randomUUID(),
      {
        tenantId: `peer-${process.pid}-${serial}`,
        data: {
          customerId: 'cus_1001',
          invoiceId: 'inv_2001',
          disputedAmount: 18,
          message: 'Charged twice',
        },
      },
      durability,
    );
    return { ms: performance.now() - started, status: outcome.status, steps };
  } catch (error) {
    // A statement past its timeout, a lost connection: the run failed (LangGraph does not retry).
    process.stderr.write(`peer run failed: ${(error as Error).message}\n`);
    return { ms: performance.now() - started, status: 'error', steps: 0 };
  }
}

interface Command {
  pass: 'lone' | 'concurrent' | 'stop';
  n: number;
}

process.on('message', (message: Command) => {
  void handle(message).then(
    (answer) => process.send!(answer),
    (error: Error) => process.send!({ error: error.stack ?? error.message }),
  );
});
process.send({ ready: true });

async function handle(command: Command) {
  if (command.pass === 'stop') {
    await checkpointPool.end();
    await business.read.end();
    await business.write.end();
    setImmediate(() => process.exit(0));
    return { stopped: true };
  }
  const runs: Array<{ ms: number; status: string; steps: number; endedAt: number }> = [];
  const started = performance.now();
  if (command.pass === 'lone') {
    for (let i = 0; i < command.n; i++) {
      runs.push({ ...(await one()), endedAt: performance.now() });
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 20));
    }
  } else {
    runs.push(
      ...(await Promise.all(
        Array.from({ length: command.n }, async () => ({
          ...(await one()),
          endedAt: performance.now(),
        })),
      )),
    );
  }
  // Completed runs only, as for Baton.
  const completed = runs.filter((r) => r.status === 'completed');
  return {
    durations: completed.map((r) => r.ms),
    statuses: runs.map((r) => r.status),
    steps: completed.map((r) => r.steps),
    wallMs: Math.max(...completed.map((r) => r.endedAt)) - started,
  };
}
