import { uuidv7, type EffectRecord, type RunEvent, type StepEnvelope } from '@baton/contracts';
import { billingWorkflow, businessQuery, expectEventually, seedBusinessData } from '@baton/testing';
import { checkResult, parseWorkflow } from '@baton/workflow';
import {
  startServiceInProcess,
  ofRun,
  type InProcessService,
  type Read,
} from '@baton/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actionService } from './action.service-definition.js';
import { actionWorkflowsDir, anAction, credit } from './testing/action-envelopes.fixture.js';

describe('action service (in-process transport, real Postgres)', () => {
  let service: InProcessService;
  let validations: Read<StepEnvelope<'validation'>>;
  let events: Read<RunEvent>;
  let effects: Read<EffectRecord>;

  beforeAll(async () => {
    await seedBusinessData();
    service = await startServiceInProcess(actionService, { workflowsDir: actionWorkflowsDir() });
    validations = await service.watch(service.names.steps.validation);
    events = await service.watch(service.names.runEvents);
    effects = await service.watch(service.names.effects);
  });
  afterAll(() => service?.close());

  const send = async (...envelopes: StepEnvelope<'action'>[]) => {
    for (const envelope of envelopes) await service.publish(service.names.steps.action, envelope);
  };
  // A run's records are handled in order and each one's messages are published after it
  // commits: once the messages caused by an envelope are out, those of earlier ones are too.
  const validationsAfter = (envelope: StepEnvelope<'action'>) =>
    expectEventually(() => {
      const found = ofRun(validations, envelope.runId);
      expect(found.map((e) => e.causationId)).toContain(envelope.envelopeId);
      return found;
    });
  const eventsAfter = (envelope: StepEnvelope<'action'>) =>
    expectEventually(() => {
      const found = ofRun(events, envelope.runId).filter((e) => e.type === 'step.finished');
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
        executed: { tool: 'issue-credit', seq: 1 },
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
    // The row the credit statement returns passes billing's result checks (validation runs them).
    const loaded = parseWorkflow(JSON.stringify(billingWorkflow()));
    if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
    const grant = loaded.workflow.tools.find((tool) => tool.name === 'issue-credit')!;
    expect(grant.resultChecks).toHaveLength(2);
    const { state, decision } = first!.payload;
    expect(checkResult(grant, decision, state, first!.payload.result!.output!)).toEqual([]);
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

  it('refuses, before the tool runs, a call the gate refuses: ungranted, over the ceiling, pinned, not the customer’s invoice', async () => {
    const wire = anAction({ tool: 'wire-money', args: { amount: 10, iban: 'X' } });
    const tooMuch = anAction(credit(900));
    const otherCustomer = anAction({
      tool: 'issue-credit',
      args: { ...credit(5).args, customerId: 'cus_1002' },
    });
    const foreignInvoice = anAction({
      tool: 'issue-credit',
      args: { ...credit(5).args, invoiceId: 'inv_2101' },
    });
    await send(wire, tooMuch, otherCustomer, foreignInvoice);

    const [refused] = await validationsAfter(wire);
    expect(refused!.step.name).toBe('check-wire-money');
    expect(refused!.payload.result).toEqual({
      status: 'refused',
      error:
        'tool "wire-money" is not granted by billing-dispute@1 (granted: issue-credit, draft-reply, search-policy)',
    });
    expect((await eventsAfter(wire))[0]!.step).toMatchObject({
      outcome: 'refused',
      output: { tool: 'wire-money', refused: true },
    });
    expect(await toolCallsFor(`${wire.runId}:1:wire-money`)).toEqual([]);

    const [capped] = await validationsAfter(tooMuch);
    expect(capped!.payload.result).toEqual({
      status: 'refused',
      error:
        'amount 900 is above the maximum of 500 for issue-credit; A credit never exceeds the invoice it is for.',
    });
    const [pinned] = await validationsAfter(otherCustomer);
    expect(pinned!.payload.result).toEqual({
      status: 'refused',
      error:
        'argument customerId is pinned to trigger.data.customerId = "cus_1001"; the proposal set "cus_1002"',
    });
    const [foreign] = await validationsAfter(foreignInvoice);
    expect(foreign!.payload.result!.error).toBe(
      "The invoice is not one of the customer's invoices.",
    );
    for (const action of [tooMuch, otherCustomer, foreignInvoice])
      expect(await creditsFor(`${action.runId}:1:issue-credit`)).toEqual([]);
  });

  it('binds a pinned argument the proposal left out before the tool runs', async () => {
    const { customerId: _, ...withoutCustomer } = credit(5).args;
    const action = anAction({ tool: 'issue-credit', args: withoutCustomer });
    await send(action);
    const [validation] = await validationsAfter(action);
    expect(validation!.payload.result).toMatchObject({ status: 'succeeded' });
    expect(validation!.payload.decision.args).toEqual(credit(5).args);
    expect(
      await businessQuery('SELECT customer_id FROM billing.credits WHERE idempotency_key = $1', [
        `${action.runId}:1:issue-credit`,
      ]),
    ).toEqual([{ customer_id: 'cus_1001' }]);
  });

  it('lets exactly one of 24 concurrent runs credit one invoice under a count limit; the others are refused', async () => {
    const tenant = `t-${uuidv7()}`;
    const runs = Array.from({ length: 24 }, () => anAction(credit(4), 'billing-dispute', tenant));
    await send(...runs);
    const results = await Promise.all(
      runs.map(async (run) => (await validationsAfter(run))[0]!.payload.result!),
    );
    const credited = await businessQuery<{ n: number }>(
      'SELECT count(*)::int AS n FROM billing.credits WHERE idempotency_key = ANY($1)',
      [runs.map((run) => `${run.runId}:1:issue-credit`)],
    );
    expect(credited).toEqual([{ n: 1 }]);
    expect(results.filter((result) => result.status === 'succeeded')).toHaveLength(1);
    const refused = results.filter((result) => result.status === 'refused');
    expect(refused).toHaveLength(23);
    for (const result of refused)
      expect(result.error).toBe(
        'limit one-credit-per-invoice: 1 call already for inv_2001 in the last 90d; at most 1',
      );
    // The one write is in the ledger and on the effects topic, with what it counts toward.
    const published = await expectEventually(() => {
      const found = effects().filter((effect) => effect.tenantId === tenant);
      expect(found).toHaveLength(1);
      return found;
    });
    expect(published[0]).toMatchObject({
      tool: 'issue-credit',
      simulated: false,
      claims: [
        { limit: 'one-credit-per-invoice', key: 'inv_2001' },
        { limit: 'credits-within-invoice', key: 'inv_2001', amount: 4 },
      ],
    });
  });

  it('lets concurrent runs credit an invoice only up to its amount under a sum limit', async () => {
    const tenant = `t-${uuidv7()}`;
    // inv_2001 is for 36: three credits of 10 fit, a fourth would make 40.
    const runs = Array.from({ length: 20 }, () =>
      anAction(credit(10), 'billing-dispute-sum', tenant),
    );
    await send(...runs);
    const results = await Promise.all(
      runs.map(async (run) => (await validationsAfter(run))[0]!.payload.result!),
    );
    const [{ total }] = await businessQuery<{ total: string }>(
      'SELECT coalesce(sum(amount), 0)::text AS total FROM billing.credits WHERE idempotency_key = ANY($1)',
      [runs.map((run) => `${run.runId}:1:issue-credit`)],
    );
    expect(Number(total)).toBe(30);
    expect(results.filter((result) => result.status === 'succeeded')).toHaveLength(3);
    expect(results.filter((result) => result.status === 'refused')).toHaveLength(17);
    expect(results.find((result) => result.status === 'refused')!.error).toBe(
      'limit credits-within-invoice: 30 already for inv_2001 in the last 3650d, plus 10 makes 40, above 36',
    );
  });

  it('counts a shadow run’s simulated writes toward the limits of later shadow runs', async () => {
    const tenant = `t-${uuidv7()}`;
    const shadowFirst = anAction(credit(5), 'billing-dispute-shadow', tenant);
    const shadowSecond = anAction(credit(5), 'billing-dispute-shadow', tenant);
    await send(shadowFirst);
    expect((await validationsAfter(shadowFirst))[0]!.payload.result!.status).toBe('simulated');
    await send(shadowSecond);
    expect((await validationsAfter(shadowSecond))[0]!.payload.result).toMatchObject({
      status: 'refused',
      error: expect.stringMatching(/^limit one-credit-per-invoice: 1 call already/),
    });
  });

  it('reports a statement the billing system refuses as a failed result', async () => {
    // billing.credits CHECK (amount > 0); this variant has no check of its own in front of it.
    const action = anAction(credit(-5), 'billing-dispute-unchecked');
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
