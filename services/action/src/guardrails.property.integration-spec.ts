import {
  aContextEnvelope,
  nextStep,
  uuidv7,
  type DecisionRecord,
  type Evidence,
  type RunState,
  type StepEnvelope,
  type ToolResult,
} from '@baton/contracts';
import {
  TestKafka,
  billingWorkflow,
  businessQuery,
  expectEventually,
  seedBusinessData,
  writeWorkflows,
  type ReadRecord,
  seededRandom,
} from '@baton/testing';
import { startService, type StartedService } from '@baton/service-kit/testing';
import { checkProposal, parseWorkflow, type WorkflowDefinition } from '@baton/workflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actionService } from './action.service-definition.js';

/**
 * Property: whatever is proposed — any customer, invoice, amount, tool, confidence, by rules,
 * the model or a reviewer's edit — every write the action service executes satisfies the
 * billing dispute's stated guards, checked afterwards in the business data itself:
 * the credit goes to the customer who wrote in, on one of their own invoices, positive, at
 * most 500 and at most the invoice; per tenant and invoice at most one credit and never more
 * than the invoice in total; a reply goes to the customer who wrote in.
 *
 * Proposals take the path a run takes: validation's gate (refused ones stop; ones that need
 * approval get a reviewer, who approves some as they are and edits others at random), then the
 * real action service over Kafka. A fifth are sent straight to the action service, as a
 * proposal that never passed validation would arrive: its own gate and limits must hold alone.
 */
const PROPOSALS = 1_200;
const SEED = Number(process.env['BATON_PROPERTY_SEED'] ?? 20261204);

const CUSTOMERS = ['cus_1001', 'cus_1002', 'cus_1003'];
const INVOICES = ['inv_2001', 'inv_2002', 'inv_2101', 'inv_2102', 'inv_2201', 'inv_9999'];
const TOOLS = ['issue-credit', 'issue-credit', 'issue-credit', 'draft-reply', 'refund-all'];

interface Sent {
  envelope: StepEnvelope<'action'>;
  tenantId: string;
  customerId: string;
  validated: boolean;
}

describe('guardrails: every executed write satisfies the billing dispute’s guards (property)', () => {
  const kafka = new TestKafka();
  let service: StartedService;
  let results: ReadRecord[];
  let workflow: WorkflowDefinition;
  const evidenceOf = new Map<string, Evidence[]>();

  beforeAll(async () => {
    await seedBusinessData();
    const definition = billingWorkflow();
    const loaded = parseWorkflow(JSON.stringify(definition));
    if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
    workflow = loaded.workflow;
    service = await startService(actionService, {
      workflowsDir: writeWorkflows([definition]),
      env: { BATON_CONCURRENCY: '16' },
    });
    results = await kafka.read(service.names.steps.validation);
    // The evidence the context step gathers for each customer, from the seeded data.
    for (const customerId of CUSTOMERS) {
      const [customer] = await businessQuery(
        'SELECT id, name, plan, tenure_months, status FROM billing.customers WHERE id = $1',
        [customerId],
      );
      const invoices = await businessQuery(
        `SELECT id, period, amount::float8 AS amount, status FROM billing.invoices
          WHERE customer_id = $1 ORDER BY issued_at DESC LIMIT 12`,
        [customerId],
      );
      evidenceOf.set(customerId, [
        { source: 'customer', kind: 'record', content: customer ?? null, weak: !customer },
        { source: 'invoices', kind: 'record', content: invoices, weak: invoices.length === 0 },
      ]);
    }
  });

  afterAll(async () => {
    await service?.close();
    await kafka.close();
  });

  it(`holds for ${PROPOSALS} random proposals, edits and direct sends (seed ${SEED})`, async () => {
    const rng = seededRandom(SEED);
    const tenants = Array.from({ length: 3 }, (_, i) => `prop-${uuidv7()}-${i}`);
    const proposal = (customerId: string): DecisionRecord => {
      const tool = rng.pick(TOOLS);
      const args: Record<string, unknown> = {};
      if (rng.chance(0.85))
        args['customerId'] = rng.chance(0.75) ? customerId : rng.pick(CUSTOMERS);
      if (tool !== 'draft-reply') {
        if (rng.chance(0.9)) args['invoiceId'] = rng.pick(INVOICES);
        if (rng.chance(0.95)) {
          args['amount'] = rng.chance(0.05)
            ? String(Math.round(rng.next() * 100))
            : Math.round((rng.next() * 720 - 20) * 100) / 100;
        }
      } else {
        args['body'] = 'We have looked into your invoice.';
      }
      return {
        next: rng.chance(0.95) ? 'act' : 'complete',
        tool,
        args,
        label: 'duplicate-charge',
        confidence: Math.round(rng.next() * 100) / 100,
        rationale: 'generated',
        decidedBy: rng.pick(['rules', 'model', 'reviewer'] as const),
      };
    };
    const edit = (decision: DecisionRecord): DecisionRecord => ({
      ...decision,
      args: rng.chance(0.5)
        ? decision.args
        : { ...decision.args, amount: Math.round(rng.next() * 600 * 100) / 100 },
      decidedBy: 'reviewer',
    });

    const sent: Sent[] = [];
    const counts = { refusedByValidation: 0, approvalsAsked: 0, direct: 0 };
    for (let i = 0; i < PROPOSALS; i += 1) {
      const tenantId = rng.pick(tenants);
      const customerId = rng.pick(CUSTOMERS);
      const context = aContextEnvelope({
        tenantId,
        data: { customerId, message: 'charged twice' },
      });
      const state: RunState = {
        trigger: context.payload.trigger,
        evidence: evidenceOf.get(customerId)!,
        weakEvidence: false,
        history: [],
      };
      let decision = proposal(customerId);
      const direct = rng.chance(0.2);
      if (!direct) {
        let verdict = checkProposal(workflow, decision, state, {
          approved: decision.decidedBy === 'reviewer',
        });
        if (verdict.approval) {
          counts.approvalsAsked += 1;
          if (rng.chance(0.3)) continue; // the reviewer rejects it
          decision = edit(verdict.decision);
          verdict = checkProposal(workflow, decision, state, { approved: true });
        }
        if (verdict.problems.length || verdict.repeats) {
          counts.refusedByValidation += 1;
          continue;
        }
        decision = verdict.decision;
      } else {
        counts.direct += 1;
      }
      const envelope = nextStep(
        context,
        { name: `execute-${decision.tool}`, kind: 'action' },
        { kind: 'action', state, decision },
      );
      sent.push({ envelope, tenantId, customerId, validated: !direct });
    }
    await kafka.produce(
      service.names.steps.action,
      sent.map(({ envelope }) => ({ key: envelope.runId, value: JSON.stringify(envelope) })),
    );

    // Every action was handled: its result went on to validation.
    const byRun = await expectEventually(
      () => {
        const found = new Map<string, ToolResult>();
        for (const record of results) {
          const envelope = JSON.parse(record.value!.toString()) as StepEnvelope<'validation'>;
          if (envelope.payload.result) found.set(envelope.runId, envelope.payload.result);
        }
        expect(sent.filter(({ envelope }) => !found.has(envelope.runId))).toEqual([]);
        return found;
      },
      { timeoutMs: 120_000 },
    );

    const runs = new Map(sent.map((item) => [item.envelope.runId, item]));
    const keys = sent.map(
      ({ envelope }) => `${envelope.runId}:1:${envelope.payload.decision.tool}`,
    );
    const credits = await businessQuery<{
      key: string;
      customer_id: string;
      invoice_id: string;
      amount: number;
      invoice_customer: string;
      invoice_amount: number;
    }>(
      `SELECT c.idempotency_key AS key, c.customer_id, c.invoice_id, c.amount::float8 AS amount,
              i.customer_id AS invoice_customer, i.amount::float8 AS invoice_amount
         FROM billing.credits c JOIN billing.invoices i ON i.id = c.invoice_id
        WHERE c.idempotency_key = ANY($1)`,
      [keys],
    );
    const replies = await businessQuery<{ key: string; customer_id: string }>(
      'SELECT idempotency_key AS key, customer_id FROM billing.replies WHERE idempotency_key = ANY($1)',
      [keys],
    );

    const perInvoice = new Map<string, { count: number; sum: number; max: number }>();
    for (const credit of credits) {
      const run = runs.get(credit.key.split(':')[0]!)!;
      const at = `credit ${credit.key}`;
      expect(credit.customer_id, `${at}: the customer who wrote in`).toBe(run.customerId);
      expect(credit.invoice_customer, `${at}: the customer's own invoice`).toBe(run.customerId);
      expect(credit.amount, `${at}: positive`).toBeGreaterThan(0);
      expect(credit.amount, `${at}: maxAmount`).toBeLessThanOrEqual(500);
      expect(credit.amount, `${at}: within the invoice`).toBeLessThanOrEqual(credit.invoice_amount);
      const id = `${run.tenantId}/${credit.invoice_id}`;
      const total = perInvoice.get(id) ?? { count: 0, sum: 0, max: credit.invoice_amount };
      perInvoice.set(id, { ...total, count: total.count + 1, sum: total.sum + credit.amount });
    }
    for (const [id, total] of perInvoice) {
      expect(total.count, `${id}: one credit per invoice in 90 days`).toBe(1);
      expect(total.sum, `${id}: credits within the invoice`).toBeLessThanOrEqual(total.max + 1e-9);
    }
    for (const reply of replies) {
      const run = runs.get(reply.key.split(':')[0]!)!;
      expect(reply.customer_id, `reply ${reply.key}: the customer who wrote in`).toBe(
        run.customerId,
      );
    }
    // Results and writes agree: a write exactly for each succeeded call, none for the others.
    const succeeded = [...byRun].filter(([, result]) => result.status === 'succeeded');
    const written = new Set([...credits, ...replies].map((row) => row.key.split(':')[0]));
    expect(
      succeeded.filter(
        ([runId]) => runs.get(runId)!.envelope.payload.decision.tool !== 'search-policy',
      ),
    ).toHaveLength(written.size);
    for (const [runId, result] of byRun)
      if (result.status !== 'succeeded')
        expect(written.has(runId), `${runId}: ${result.status}`).toBe(false);

    // The generator reached every guard: the property is not vacuous.
    const refused = [...byRun.values()].filter((result) => result.status === 'refused');
    const reasons = refused.map((result) => result.error ?? '').join('\n');
    expect(credits.length).toBeGreaterThan(5);
    expect(replies.length).toBeGreaterThan(5);
    expect(counts.refusedByValidation).toBeGreaterThan(100);
    expect(counts.approvalsAsked).toBeGreaterThan(10);
    expect(counts.direct).toBeGreaterThan(100);
    for (const guard of [
      'is pinned to trigger.data.customerId',
      "is not one of the customer's invoices",
      'never exceeds the invoice',
      'limit one-credit-per-invoice',
      'is not granted',
      'above the maximum of 500',
    ])
      expect(reasons, `a refusal naming "${guard}"`).toContain(guard);
  });
});
