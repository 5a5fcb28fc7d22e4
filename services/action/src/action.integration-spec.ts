import {
  aContextEnvelope,
  nextStep,
  uuidv7,
  type DecisionRecord,
  type RunEvent,
  type StepEnvelope,
} from '@baton/contracts';
import {
  TestKafka,
  expectEventually,
  type ReadRecord,
  billingWorkflow,
  businessQuery,
  writeWorkflows,
  seedBusinessData,
} from '@baton/testing';
import { startService, type StartedService } from '@baton/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actionService } from './action.service-definition.js';

const MESSAGE = 'I was charged twice for November.';

function anAction(decision: Partial<DecisionRecord>, workflowId = 'billing-dispute') {
  const context = aContextEnvelope({ data: { customerId: 'cus_1001', message: MESSAGE } });
  return nextStep(
    { ...context, workflow: { id: workflowId, version: 1 } },
    { name: `execute-${decision.tool}`, kind: 'action' },
    {
      kind: 'action',
      state: { trigger: context.payload.trigger, evidence: [], weakEvidence: false, history: [] },
      decision: {
        next: 'act',
        label: 'disputed-charge',
        confidence: 0.9,
        rationale: 'The upstream form names the invoice and the disputed amount.',
        decidedBy: 'rules',
        ...decision,
      },
    },
  );
}
const credit = (amount: unknown) => ({
  tool: 'issue-credit',
  args: { customerId: 'cus_1001', invoiceId: 'inv_2001', amount, reason: MESSAGE },
});

describe('action service over the real Kafka broker and Postgres', () => {
  const kafka = new TestKafka();
  let service: StartedService;
  let validations: ReadRecord[];
  let events: ReadRecord[];

  beforeAll(async () => {
    await seedBusinessData();
    const base = billingWorkflow();
    const dir = writeWorkflows([base, { ...base, id: 'billing-dispute-shadow', mode: 'shadow' }]);
    service = await startService(actionService, { workflowsDir: dir });
    validations = await kafka.read(service.names.steps.validation);
    events = await kafka.read(service.names.runEvents);
  });

  afterAll(async () => {
    await service?.close();
    await kafka.close();
  });

  const send = (...envelopes: StepEnvelope<'action'>[]) =>
    kafka.produce(
      service.names.steps.action,
      envelopes.map((e) => ({ key: e.runId, value: JSON.stringify(e) })),
    );
  // A run's records are handled in order and each one's messages are published after it
  // commits: once the messages caused by an envelope are out, those of earlier ones are too.
  const validationsAfter = (envelope: StepEnvelope<'action'>) =>
    expectEventually(() => {
      const found = validations
        .map((r) => JSON.parse(r.value!.toString()) as StepEnvelope<'validation'>)
        .filter((e) => e.runId === envelope.runId);
      expect(found.map((e) => e.causationId)).toContain(envelope.envelopeId);
      return found;
    });
  const eventsAfter = (envelope: StepEnvelope<'action'>) =>
    expectEventually(() => {
      const found = events
        .map((r) => JSON.parse(r.value!.toString()) as RunEvent)
        .filter((e) => e.runId === envelope.runId && e.type === 'step.finished');
      expect(found.map((e) => e.step?.envelopeId)).toContain(envelope.envelopeId);
      return found;
    });
  const creditsFor = (key: string) =>
    businessQuery('SELECT id, amount FROM billing.credits WHERE idempotency_key = $1', [key]);
  const toolCallsFor = (key: string) =>
    businessQuery(
      `SELECT tool, status, simulated, result FROM "${service.schema}".tool_calls WHERE idempotency_key = $1`,
      [key],
    );

  it('issues a credit once, however often its action arrives', async () => {
    const action = anAction(credit(18));
    const key = `${action.runId}:1:issue-credit`;
    // The same record twice (a redelivery), then a copy with another envelope id but the
    // same run, seq and tool; one run's records are handled in order, so when the copy's
    // result is out, both deliveries before it have been handled.
    const copy = { ...action, envelopeId: uuidv7() };
    await send(action, action, copy);

    const delivered = await validationsAfter(copy);
    expect(delivered).toHaveLength(2); // the redelivery changed nothing
    const [first, second] = delivered;
    expect(first).toMatchObject({
      causationId: action.envelopeId,
      step: { name: 'check-issue-credit', kind: 'validation', seq: 2 },
      payload: {
        kind: 'validation',
        state: action.payload.state,
        decision: action.payload.decision,
      },
    });
    expect(first!.payload.result).toEqual({
      status: 'succeeded',
      idempotencyKey: key,
      output: {
        id: expect.any(String),
        customer_id: 'cus_1001',
        invoice_id: 'inv_2001',
        amount: 18,
      },
    });
    expect(second!.causationId).toBe(copy.envelopeId);
    expect(second!.payload.result).toEqual(first!.payload.result); // answered from tool_calls
    expect(await creditsFor(key)).toEqual([{ id: expect.any(String), amount: '18.00' }]);
    expect(await toolCallsFor(key)).toMatchObject([{ tool: 'issue-credit', status: 'succeeded' }]);
    const [event, reusedEvent, ...more] = await eventsAfter(copy);
    expect(more).toEqual([]);
    expect(event!.step).toMatchObject({
      name: 'execute-issue-credit',
      kind: 'action',
      seq: 1,
      outcome: 'succeeded',
      output: { tool: 'issue-credit', args: credit(18).args, idempotencyKey: key },
    });
    expect(reusedEvent!.step!.output).toMatchObject({ reused: true });

    // Even with Baton's own record gone, the billing statement's key keeps the write single.
    await businessQuery(`DELETE FROM "${service.schema}".tool_calls WHERE idempotency_key = $1`, [
      key,
    ]);
    const again = { ...action, envelopeId: uuidv7() };
    await send(again);
    const results = (await validationsAfter(again)).map((v) => v.payload.result);
    expect(results).toHaveLength(3);
    expect(results[2]).toEqual(results[0]);
    expect(await creditsFor(key)).toHaveLength(1);
  });

  it('in shadow mode records the write as simulated and writes nothing; reads still run', async () => {
    const action = anAction(credit(20), 'billing-dispute-shadow');
    const key = `${action.runId}:1:issue-credit`;
    const search = anAction(
      { tool: 'search-policy', args: { query: 'charged twice' } },
      'billing-dispute-shadow',
    );
    await send(action, search);

    const [validation] = await validationsAfter(action);
    expect(validation!.payload.result).toEqual({
      status: 'simulated',
      idempotencyKey: key,
      output: {
        wouldExecute: { tool: 'issue-credit', args: credit(20).args, idempotencyKey: key },
      },
    });
    expect(await creditsFor(key)).toEqual([]);
    expect(await toolCallsFor(key)).toMatchObject([
      { tool: 'issue-credit', status: 'simulated', simulated: true },
    ]);
    expect((await eventsAfter(action))[0]!.step!.outcome).toBe('simulated');

    const [searched] = await validationsAfter(search);
    expect(searched!.step.name).toBe('check-search-policy');
    expect(searched!.payload.result).toMatchObject({ status: 'succeeded' });
    const passages = searched!.payload.result!.output!['passages'] as Array<{ id: string }>;
    expect(passages[0]).toMatchObject({ id: 'policy-1', title: 'Duplicate charges' });
  });

  it('refuses a tool the workflow does not grant, and an amount above the ceiling', async () => {
    const wire = anAction({ tool: 'wire-money', args: { amount: 10, iban: 'X' } });
    const tooMuch = anAction(credit(900));
    await send(wire, tooMuch);

    const [refused] = await validationsAfter(wire);
    expect(refused!.step.name).toBe('check-wire-money');
    expect(refused!.payload.result).toEqual({
      status: 'failed',
      error: 'tool wire-money is not granted',
    });
    expect((await eventsAfter(wire))[0]!.step).toMatchObject({
      outcome: 'failed',
      output: { tool: 'wire-money', refused: true },
    });
    expect(await toolCallsFor(`${wire.runId}:1:wire-money`)).toEqual([]);

    const [capped] = await validationsAfter(tooMuch);
    expect(capped!.payload.result).toEqual({
      status: 'failed',
      error: 'amount 900 exceeds the maximum 500 for tool issue-credit',
    });
    expect(await creditsFor(`${tooMuch.runId}:1:issue-credit`)).toEqual([]);
  });

  it('reports a statement the billing system refuses as a failed result', async () => {
    const action = anAction(credit(-5)); // billing.credits CHECK (amount > 0)
    const key = `${action.runId}:1:issue-credit`;
    await send(action);

    const [validation] = await validationsAfter(action);
    expect(validation!.payload.result).toEqual({
      status: 'failed',
      idempotencyKey: key,
      error: expect.stringMatching(/credits_amount_check.*\(SQLSTATE 23514\)$/),
    });
    expect(await creditsFor(key)).toEqual([]);
    expect(await toolCallsFor(key)).toMatchObject([{ status: 'failed', simulated: false }]);
    expect((await eventsAfter(action))[0]!.step!.outcome).toBe('failed');
  });
});
