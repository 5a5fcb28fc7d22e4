// The peer of the side-by-side benchmark (tools/bench/peer-bench.ts): the billing dispute's
// rules-only path written as a LangGraph.js graph with the Postgres checkpointer
// (@langchain/langgraph-checkpoint-postgres), one thread per run. It does what Baton does for
// the README's trigger (workflows/billing-dispute/workflow.yaml), step for step and with the same
// SQL against the same seeded business data (workflows/billing-dispute/seed.sql):
//
//   context → decide → validate → act (issue-credit) → check → decide → validate
//           → act (draft-reply) → check → decide (complete)                       ten steps
//
// - context: the three sources at once, each one statement (one round trip) on a read-only
//   session with the source's statement_timeout, as Baton's business database runs them;
// - decide: the workflow's rules in order (unknown-customer, done, reply-after-credit,
//   structured-dispute), the run's step budget (maxSteps 20); no model;
// - validate: pinned and required arguments, maxAmount, the checks, the approval (> $50 goes to
//   a person: this graph ends the run as escalated, it has no review queue);
// - act: the write with the idempotency key `<thread>:<step>:<tool>` (ON CONFLICT … RETURNING,
//   the workflow's statements verbatim); issue-credit also takes the effect limits
//   (one-credit-per-invoice, credits-within-invoice) against an effect ledger of its own, under
//   the same advisory locks, in the write's transaction;
// - check: the tool's result checks.
//
// With durability 'sync' (the default here) each step's checkpoint is written before the next
// step starts, as Baton commits each step before handing it on; LangGraph's own default is
// 'async' (written while the next step runs).
import { Annotation, END, START, StateGraph } from '@langchain/langgraph';
import type { PostgresSaver } from '@langchain/langgraph-checkpoint-postgres';
import type pg from 'pg';

export interface DisputeTrigger {
  tenantId: string;
  data: { customerId: string; invoiceId?: string; disputedAmount?: number; message: string };
}

interface Invoice {
  id: string;
  period: string;
  amount: string;
  status: string;
  issued_at: Date;
}
interface Evidence {
  customer: Record<string, unknown> | null;
  invoices: Invoice[];
  policy: Array<{ id: string; title: string; body: string; score: number }>;
}
interface Proposal {
  tool: 'issue-credit' | 'draft-reply';
  args: Record<string, string | number>;
  rule: string;
}
interface Executed {
  tool: Proposal['tool'];
  args: Proposal['args'];
  status: 'succeeded' | 'refused';
  result: Record<string, unknown> | null;
  error?: string;
}
export interface Outcome {
  status: 'completed' | 'escalated' | 'failed';
  reason: string;
}

const last = <T>() => Annotation<T>({ reducer: (_old: T, value: T) => value });

const DisputeState = Annotation.Root({
  trigger: Annotation<DisputeTrigger>(),
  evidence: last<Evidence | null>(),
  /** Executed tools by name: what the rules read as `done.<tool>`. */
  done: last<Record<string, Executed>>(),
  proposal: last<Proposal | null>(),
  executed: last<Executed | null>(),
  failures: last<number>(),
  steps: last<number>(),
  outcome: last<Outcome | null>(),
});
type State = typeof DisputeState.State;
type Update = typeof DisputeState.Update;

const MAX_STEPS = 20;
const MAX_FAILURES = 2;
const WORKFLOW_ID = 'billing-dispute';

const CUSTOMER_SQL =
  'SELECT id, name, plan, tenure_months, status FROM billing.customers WHERE id = $1';
const INVOICES_SQL =
  'SELECT id, period, amount, status, issued_at FROM billing.invoices WHERE customer_id = $1 ORDER BY issued_at DESC LIMIT 12';
const SEARCH_SQL = `
  SELECT id, title, body, ts_rank(tsv, query)::float8 AS score
  FROM knowledge.documents, to_tsquery('english', $2) AS query
  WHERE collection = $1 AND tsv @@ query
  ORDER BY score DESC, id
  LIMIT $3`;
const CREDIT_SQL =
  'INSERT INTO billing.credits (idempotency_key, customer_id, invoice_id, amount, reason) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (idempotency_key) DO UPDATE SET idempotency_key = EXCLUDED.idempotency_key RETURNING id, customer_id, invoice_id, amount';
const REPLY_SQL =
  'INSERT INTO billing.replies (idempotency_key, customer_id, body) VALUES ($1, $2, $3) ON CONFLICT (idempotency_key) DO UPDATE SET idempotency_key = EXCLUDED.idempotency_key RETURNING id, customer_id';

/** The peer's effect ledger, in its own schema of its own database. */
export const EFFECT_LEDGER_DDL = `
  CREATE SCHEMA IF NOT EXISTS peer;
  CREATE TABLE IF NOT EXISTS peer.effect_ledger (
    call_key text NOT NULL, limit_name text NOT NULL, tenant_id text NOT NULL,
    workflow_id text NOT NULL, tool text NOT NULL, limit_key text NOT NULL, amount numeric,
    run_id text NOT NULL, at timestamptz NOT NULL, PRIMARY KEY (call_key, limit_name));
  CREATE INDEX IF NOT EXISTS effect_ledger_key_idx
    ON peer.effect_ledger (tenant_id, workflow_id, tool, limit_name, limit_key, at)`;
const USAGE_SQL = `SELECT count(*)::int AS count, coalesce(sum(amount), 0)::text AS sum
  FROM peer.effect_ledger
 WHERE tenant_id = $1 AND workflow_id = $2 AND tool = $3 AND limit_name = $4 AND limit_key = $5
   AND at > $6 AND call_key <> $7`;
const RECORD_SQL = `INSERT INTO peer.effect_ledger (call_key, limit_name, tenant_id, workflow_id,
  tool, limit_key, amount, run_id, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
  ON CONFLICT (call_key, limit_name) DO NOTHING`;
const DAY_MS = 86_400_000;

/** The search text as an OR query of its words, as Baton's knowledge search makes it. */
function orTsQuery(text: string): string | undefined {
  const folded = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase();
  const words = [...new Set(folded.match(/[a-z0-9]+/g) ?? [])].slice(0, 64);
  return words.length > 0 ? words.join(' | ') : undefined;
}

/** The peer's business database: a read-only pool for the sources, one for the writes. */
export interface BusinessPools {
  /** Sessions `default_transaction_read_only=on`, `statement_timeout` = the sources' 2000 ms. */
  read: pg.Pool;
  /** Sessions with `statement_timeout` 10 s. */
  write: pg.Pool;
}
export const READ_SESSION = {
  statement_timeout: 2000,
  options: '-c default_transaction_read_only=on',
};
export const WRITE_SESSION = { statement_timeout: 10_000 };

const SECRET =
  /\b(password|passcode|pin|one[- ]time code|otp|card number|cvv|cvc|security code)\b/i;
const LINK = /\bhttps?:\/\/([a-z0-9.-]+)/gi;
const linksOutsideAcme = (body: string) =>
  [...body.matchAll(LINK)].filter(
    ([, host]) => host !== 'acme.example' && !host!.toLowerCase().endsWith('.acme.example'),
  );

export function billingDisputeGraph(business: BusinessPools, checkpointer: PostgresSaver) {
  const context = async (state: State): Promise<Update> => {
    const { customerId, message } = state.trigger.data;
    const tsquery = orTsQuery(message);
    // Baton's context step reads its sources at once.
    const [customers, invoices, policy] = await Promise.all([
      business.read.query(CUSTOMER_SQL, [customerId]),
      business.read.query<Invoice>(INVOICES_SQL, [customerId]),
      tsquery
        ? business.read.query<{ id: string; title: string; body: string; score: number }>(
            SEARCH_SQL,
            ['billing-policy', tsquery, 3],
          )
        : Promise.resolve({ rows: [] }),
    ]);
    return {
      evidence: {
        customer: (customers.rows[0] as Record<string, unknown> | undefined) ?? null,
        invoices: invoices.rows,
        policy: policy.rows,
      },
      done: {},
      failures: 0,
      steps: state.steps + 1,
    };
  };

  const decide = (state: State): Update => {
    const steps = state.steps + 1;
    if (steps > MAX_STEPS)
      return { steps, outcome: { status: 'failed', reason: 'stopped: max steps' } };
    const { data } = state.trigger;
    const evidence = state.evidence!;
    if (!evidence.customer)
      return {
        steps,
        proposal: null,
        outcome: { status: 'escalated', reason: 'unknown-customer' },
      };
    if (state.done['draft-reply'])
      return { steps, proposal: null, outcome: { status: 'completed', reason: 'resolved' } };
    const credit = state.done['issue-credit'];
    if (credit)
      return {
        steps,
        proposal: {
          tool: 'draft-reply',
          rule: 'reply-after-credit',
          args: {
            customerId: data.customerId,
            body: `Hello ${String(evidence.customer['name'])}, we have credited ${credit.args['amount']} to invoice ${credit.args['invoiceId']}. It will appear on your next statement.`,
          },
        },
      };
    if (data.invoiceId !== undefined && (data.disputedAmount ?? 0) > 0)
      return {
        steps,
        proposal: {
          tool: 'issue-credit',
          rule: 'structured-dispute',
          args: {
            customerId: data.customerId,
            invoiceId: data.invoiceId,
            amount: data.disputedAmount!,
            reason: data.message,
          },
        },
      };
    // The model would be asked here: the rules-only path escalates instead.
    return { steps, proposal: null, outcome: { status: 'escalated', reason: 'no rule decided' } };
  };

  const validate = (state: State): Update => {
    const steps = state.steps + 1;
    const proposal = state.proposal!;
    // Pinned: the customer who wrote in, whatever was proposed.
    const args: Proposal['args'] = { ...proposal.args, customerId: state.trigger.data.customerId };
    const problems: string[] = [];
    const invoices = state.evidence!.invoices;
    if (proposal.tool === 'issue-credit') {
      for (const name of ['customerId', 'invoiceId', 'amount'])
        if (args[name] === undefined) problems.push(`${name} is required`);
      const amount = Number(args['amount']);
      if (amount > 500) problems.push('amount above maxAmount 500');
      if (amount <= 0) problems.push('A credit amount must be positive.');
      const invoice = invoices.find((i) => i.id === args['invoiceId']);
      if (!invoice) problems.push("The invoice is not one of the customer's invoices.");
      else if (amount > Number(invoice.amount))
        problems.push('A credit never exceeds the invoice it is for.');
      if (problems.length === 0 && amount > 50)
        return { steps, outcome: { status: 'escalated', reason: 'approval: credit above $50' } };
    } else {
      for (const name of ['customerId', 'body'])
        if (args[name] === undefined) problems.push(`${name} is required`);
      const body = String(args['body'] ?? '');
      if (SECRET.test(body)) problems.push('A reply never asks the customer for a secret.');
      if (linksOutsideAcme(body).length > 0) problems.push("A reply links only to Acme's hosts.");
    }
    if (problems.length > 0) {
      const failures = state.failures + 1;
      return failures >= MAX_FAILURES
        ? { steps, failures, outcome: { status: 'escalated', reason: problems.join('; ') } }
        : { steps, failures, proposal: null };
    }
    return { steps, proposal: { ...proposal, args } };
  };

  const act = async (state: State, config: { configurable?: { thread_id?: string } }) => {
    const steps = state.steps + 1;
    const proposal = state.proposal!;
    const { args } = proposal;
    const runId = config.configurable?.thread_id ?? 'unknown';
    const key = `${runId}:${steps}:${proposal.tool}`;
    let executed: Executed;
    if (proposal.tool === 'draft-reply') {
      const { rows } = await business.write.query(REPLY_SQL, [
        key,
        args['customerId'],
        args['body'],
      ]);
      executed = { tool: proposal.tool, args, status: 'succeeded', result: rows[0] ?? null };
    } else {
      executed = await issueCredit(business.write, state, args, key, runId);
    }
    const update: Update = {
      steps,
      executed,
      done: { ...state.done, [proposal.tool]: executed },
    };
    return update;
  };

  const check = (state: State): Update => {
    const steps = state.steps + 1;
    const executed = state.executed!;
    if (executed.status === 'refused')
      return { steps, outcome: { status: 'escalated', reason: `refused: ${executed.error}` } };
    const result = executed.result ?? {};
    const failures: string[] = [];
    if (executed.tool === 'issue-credit') {
      if (Number(result['amount']) !== Number(executed.args['amount']))
        failures.push('The credit row does not carry the proposed amount.');
      if (
        result['invoice_id'] !== executed.args['invoiceId'] ||
        result['customer_id'] !== executed.args['customerId']
      )
        failures.push(
          'The credit row is not on the proposed invoice of the customer who wrote in.',
        );
    }
    return failures.length > 0
      ? { steps, outcome: { status: 'escalated', reason: failures.join('; ') } }
      : { steps, proposal: null };
  };

  return new StateGraph(DisputeState)
    .addNode('context', context)
    .addNode('decide', decide)
    .addNode('validate', validate)
    .addNode('act', act)
    .addNode('check', check)
    .addEdge(START, 'context')
    .addEdge('context', 'decide')
    .addConditionalEdges('decide', (s: State) => (s.outcome ? END : 'validate'), ['validate', END])
    .addConditionalEdges(
      'validate',
      (s: State) => (s.outcome ? END : s.proposal ? 'act' : 'decide'),
      ['act', 'decide', END],
    )
    .addEdge('act', 'check')
    .addConditionalEdges('check', (s: State) => (s.outcome ? END : 'decide'), ['decide', END])
    .compile({ checkpointer });
}

/** issue-credit: its effect limits under advisory locks, then the write, in one transaction. */
async function issueCredit(
  business: pg.Pool,
  state: State,
  args: Proposal['args'],
  key: string,
  runId: string,
): Promise<Executed> {
  const tenantId = state.trigger.tenantId;
  const invoiceId = String(args['invoiceId']);
  const amount = Number(args['amount']);
  const invoice = state.evidence!.invoices.find((i) => i.id === invoiceId);
  const limits = [
    { name: 'one-credit-per-invoice', windowMs: 90 * DAY_MS, maxCount: 1 },
    {
      name: 'credits-within-invoice',
      windowMs: 3650 * DAY_MS,
      maxSum: invoice ? Number(invoice.amount) : NaN,
    },
  ];
  const now = new Date();
  const client = await business.connect();
  try {
    await client.query('BEGIN');
    const locks = limits
      .map((l) =>
        JSON.stringify(['baton:effect', tenantId, WORKFLOW_ID, 'issue-credit', l.name, invoiceId]),
      )
      .sort();
    for (const lock of locks)
      await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [lock]);
    const problems: string[] = [];
    for (const limit of limits) {
      const {
        rows: [usage],
      } = await client.query<{ count: number; sum: string }>(USAGE_SQL, [
        tenantId,
        WORKFLOW_ID,
        'issue-credit',
        limit.name,
        invoiceId,
        new Date(now.getTime() - limit.windowMs),
        key,
      ]);
      if (limit.maxCount !== undefined && (usage?.count ?? 0) + 1 > limit.maxCount)
        problems.push(`${limit.name}: more than ${limit.maxCount}`);
      if (limit.maxSum !== undefined && !(Number(usage?.sum ?? 0) + amount <= limit.maxSum))
        problems.push(`${limit.name}: above ${limit.maxSum}`);
    }
    if (problems.length > 0) {
      await client.query('ROLLBACK');
      return {
        tool: 'issue-credit',
        args,
        status: 'refused',
        result: null,
        error: problems.join('; '),
      };
    }
    const {
      rows: [row],
    } = await client.query(CREDIT_SQL, [
      key,
      args['customerId'],
      invoiceId,
      amount,
      args['reason'],
    ]);
    for (const limit of limits)
      await client.query(RECORD_SQL, [
        key,
        limit.name,
        tenantId,
        WORKFLOW_ID,
        'issue-credit',
        invoiceId,
        amount,
        runId,
        now,
      ]);
    await client.query('COMMIT');
    return { tool: 'issue-credit', args, status: 'succeeded', result: row ?? null };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/** One dispute, one thread: its outcome and the number of steps it took. */
export async function runDispute(
  graph: ReturnType<typeof billingDisputeGraph>,
  threadId: string,
  trigger: DisputeTrigger,
  durability: 'sync' | 'async' | 'exit',
): Promise<{ outcome: Outcome; steps: number }> {
  const final = await graph.invoke(
    {
      trigger,
      evidence: null,
      done: {},
      proposal: null,
      executed: null,
      failures: 0,
      steps: 0,
      outcome: null,
    },
    { configurable: { thread_id: threadId }, durability, recursionLimit: 40 },
  );
  return {
    outcome: final.outcome ?? { status: 'failed', reason: 'ended without an outcome' },
    steps: final.steps,
  };
}
