import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { deadLetterTopic, topicNames } from '@baton/contracts';
import {
  TEST_KEYS,
  TestKafka,
  bearer,
  businessQuery,
  expectEventually,
  testKafkaBrokers,
  testSigningKey,
} from '@baton/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BatonClient, creditDecision, disputeEvent, type RunView } from './support/baton-client.js';
import { BatonSystem, SERVICES } from './support/baton-system.js';

const run = promisify(execFile);

describe('billing dispute, trigger to outcome, six services over Kafka', () => {
  const system = new BatonSystem();
  const api = new BatonClient(system);
  const kafka = new TestKafka();

  const credits = (runId: string) =>
    businessQuery<{ amount: string; invoice_id: string }>(
      'SELECT amount, invoice_id FROM billing.credits WHERE idempotency_key LIKE $1',
      [`${runId}:%`],
    );
  const replies = (runId: string) =>
    businessQuery<{ body: string }>(
      'SELECT body FROM billing.replies WHERE idempotency_key LIKE $1',
      [`${runId}:%`],
    );
  const start = async (event: ReturnType<typeof disputeEvent>) => {
    const response = await api.trigger(event);
    expect(response.status, JSON.stringify(response.body)).toBe(202);
    return response.body['runId'] as string;
  };
  const stepNames = (view: RunView) => view.steps.map((s) => `${s.kind}:${s.outcome}`);
  /**
   * The run's spans come from these services, share one trace id, and every consume span's
   * parent is among them. A reviewer's `review <outcome>` span names the run too but lives in
   * the reviewer's request trace, linked to the run's (review-trace-links.integration-spec).
   */
  const expectOneTrace = (runId: string, services: string[]) =>
    expectEventually(
      () => {
        const spans = system.otlp.spans.filter(
          (s) => s.attributes['baton.run_id'] === runId && !s.name.startsWith('review '),
        );
        expect(new Set(spans.map((s) => s.serviceName))).toEqual(
          new Set(services.map((s) => `baton-${s}`)),
        );
        expect(new Set(spans.map((s) => s.traceId)).size).toBe(1);
        const ids = new Set(spans.map((s) => s.spanId));
        for (const span of spans.filter((s) => s.name.startsWith('process ')))
          expect(ids.has(span.parentSpanId!)).toBe(true);
      },
      { timeoutMs: 15_000 },
    );

  beforeAll(async () => {
    await system.start();
  }, 180_000);
  afterAll(async () => {
    await kafka.close();
    await system.stop();
  }, 60_000);

  it('credits a small disputed amount once, drafts the reply and completes', async () => {
    system.model.reply(creditDecision('inv_2002', 18));
    const runId = await start(
      disputeEvent({
        customerId: 'cus_1001',
        message: 'I was charged twice for October, please refund $18.',
      }),
    );

    const done = await api.waitForRun(runId, ['completed', 'failed', 'rejected']);
    expect(done.status, JSON.stringify(stepNames(done))).toBe('completed');
    expect(await credits(runId)).toEqual([{ amount: '18.00', invoice_id: 'inv_2002' }]);
    expect(await replies(runId)).toHaveLength(1);
    expect(done.steps.map((s) => s.kind)).toEqual(
      expect.arrayContaining(['context', 'decision', 'validation', 'action']),
    );

    // Escalation takes part too: it reads the run's events (to close tasks of ended runs).
    await expectOneTrace(runId, [...SERVICES]);
  });

  it('completes a run started with the longest tenant id and idempotency key the contract allows', async () => {
    // Its first step's causation id (trigger:<tenant>:<key>) used to outgrow the envelope's
    // limit: 202, then the first step dead-lettered and the run stuck until its deadline.
    system.model.reply(creditDecision('inv_2002', 7));
    const suffix = `-${process.pid}-${Date.now()}`;
    const runId = await start(
      disputeEvent(
        { customerId: 'cus_1001', message: 'Charged twice, please refund $7.' },
        {
          tenantId: `t${suffix}`.padEnd(100, 't'),
          idempotencyKey: `k${suffix}`.padEnd(200, 'k'),
        },
      ),
    );
    const done = await api.waitForRun(runId, ['completed', 'failed', 'rejected']);
    expect(done.status, JSON.stringify(stepNames(done))).toBe('completed');
    expect(await credits(runId)).toEqual([{ amount: '7.00', invoice_id: 'inv_2002' }]);
  });

  it('asks a reviewer for a large credit; the approval executes it exactly once', async () => {
    system.model.reply(creditDecision('inv_2101', 240, 'cus_1002'));
    const runId = await start(
      disputeEvent({ customerId: 'cus_1002', message: 'You billed me 240 twice.' }),
    );
    const task = await api.waitForTask(runId);
    expect(task.reason).toMatch(/above \$50 need a reviewer/);
    // The ledger learns it from the run events, right after the task exists.
    await api.waitForRun(runId, ['waiting-for-review']);

    expect((await api.decide(task.id, 'approve', {}, null)).status).toBe(401);
    expect((await api.decide(task.id, 'approve', {}, 'publisher')).status).toBe(403);
    const approved = await api.decide(task.id, 'approve', { note: 'verified the duplicate' });
    expect(approved.status).toBe(200);
    expect((await api.decide(task.id, 'approve', {})).status).toBe(409);

    expect((await api.waitForRun(runId, ['completed', 'failed', 'rejected'])).status).toBe(
      'completed',
    );
    expect(await credits(runId)).toEqual([{ amount: '240.00', invoice_id: 'inv_2101' }]);
    expect(JSON.stringify(await api.task(task.id))).toContain('reviewer-1');
    await expectOneTrace(runId, [...SERVICES]);
  });

  it('executes the amount the reviewer edited, not the proposed one', async () => {
    system.model.reply(creditDecision('inv_2101', 300, 'cus_1002'));
    const runId = await start(
      disputeEvent({ customerId: 'cus_1002', message: 'Refund 300 please.' }),
    );
    const task = await api.waitForTask(runId);
    const args = { ...task.proposal!.args, amount: 120 };
    expect((await api.decide(task.id, 'approve', { args })).status).toBe(200);
    expect((await api.waitForRun(runId, ['completed', 'failed', 'rejected'])).status).toBe(
      'completed',
    );
    expect(await credits(runId)).toEqual([{ amount: '120.00', invoice_id: 'inv_2101' }]);
  });

  it("ends rejected with the reviewer's reason and executes no write", async () => {
    system.model.reply(creditDecision('inv_2101', 480, 'cus_1002'));
    const runId = await start(
      disputeEvent({ customerId: 'cus_1002', message: 'Refund everything.' }),
    );
    const task = await api.waitForTask(runId);
    expect((await api.decide(task.id, 'reject', {})).status).toBe(400);
    expect(
      (
        await api.decide(task.id, 'reject', {
          reason: 'The charge was correct: one invoice per month.',
        })
      ).status,
    ).toBe(200);
    const ended = await api.waitForRun(runId, ['rejected', 'completed', 'failed']);
    expect(ended).toMatchObject({
      status: 'rejected',
      reason: expect.stringContaining('The charge was correct'),
    });
    expect(await credits(runId)).toEqual([]);
  });

  it('cancels a run waiting for review: cancelled with the reason, its task closed, nothing executed', async () => {
    system.model.reply(creditDecision('inv_2102', 200, 'cus_1002'));
    const runId = await start(disputeEvent({ customerId: 'cus_1002', message: 'Refund October.' }));
    const task = await api.waitForTask(runId);
    const response = await fetch(`${system.url('trigger')}/v1/runs/${runId}/cancel`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer('reviewer') },
      body: JSON.stringify({ reason: 'the customer withdrew the dispute' }),
    });
    expect(response.status).toBe(200);
    expect(await api.waitForRun(runId, ['cancelled'])).toMatchObject({
      reason: expect.stringContaining('withdrew'),
    });
    await expectEventually(async () => expect((await api.task(task.id)).status).toBe('closed'));
    expect((await api.decide(task.id, 'approve', {})).status).toBe(409);
    expect(await credits(runId)).toEqual([]);
  });

  it('never writes for a run cancelled while its model call was in flight (50 races)', async () => {
    const cancelled: string[] = [];
    for (let race = 0; race < 50; race += 1) {
      let answer!: () => void;
      const held = new Promise<void>((resolve) => (answer = resolve));
      const asked = system.model.requests.length;
      system.model.reply({ ...creditDecision('inv_2002', 18), after: held });
      const runId = await start(
        disputeEvent({ customerId: 'cus_1001', message: `Charged twice, race ${race}.` }),
      );
      // The decision step is waiting for the model: cancel the run now.
      await expectEventually(() => expect(system.model.requests.length).toBeGreaterThan(asked));
      const response = await fetch(`${system.url('trigger')}/v1/runs/${runId}/cancel`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...bearer('reviewer') },
        body: JSON.stringify({ reason: `race ${race}` }),
      });
      expect(response.status).toBe(200);
      // Once the decision service knows the run ended, the model answers: a credit it proposes.
      await expectEventually(async () =>
        expect(
          await businessQuery(
            `SELECT status FROM "${system.schemaPrefix}decision".ended_runs WHERE run_id = $1`,
            [runId],
          ),
        ).toEqual([{ status: 'cancelled' }]),
      );
      answer();
      await expectEventually(async () =>
        expect(stepNames(await api.run(runId))).toContain('decision:run-ended'),
      );
      cancelled.push(runId);
    }
    const written = await businessQuery<{ n: number }>(
      `SELECT (SELECT count(*) FROM billing.credits WHERE split_part(idempotency_key, ':', 1) = ANY($1))
            + (SELECT count(*) FROM billing.replies WHERE split_part(idempotency_key, ':', 1) = ANY($1)) AS n`,
      [cancelled],
    );
    expect(written).toEqual([{ n: '0' }]);
    for (const runId of cancelled.slice(0, 5)) {
      const view = await api.run(runId);
      expect(view.status).toBe('cancelled');
      expect(
        stepNames(view).filter(
          (step) => step.startsWith('validation') || step.startsWith('action'),
        ),
      ).toEqual([]);
    }
  });

  it('escalates with the reason when the model answers invalid JSON, then 500, then nothing', async () => {
    system.model.reply(
      { text: 'Sure! I think you should credit them.' },
      { status: 500 },
      { hang: true },
    );
    const runId = await start(
      disputeEvent({ customerId: 'cus_1001', message: 'Something is off with my bill.' }),
    );
    const task = await api.waitForTask(runId);
    expect(task.reason).toMatch(/model/i);
    expect(system.model.remaining).toBe(0);
    for (const service of SERVICES)
      expect((await fetch(`${system.url(service)}/health/ready`)).status).toBe(200);
  });

  it('refuses malformed triggers with a 4xx or a dead letter, and keeps serving valid ones', async () => {
    expect((await api.trigger('{"schemaVersion":1,')).status).toBe(400);
    const missing = await api.trigger({ ...disputeEvent({}), tenantId: undefined });
    expect(missing).toMatchObject({ status: 400, body: { problems: ['tenantId: is required'] } });
    expect(
      (
        await api.trigger(
          disputeEvent({ customerId: 'cus_1001', message: 'x' }, { workflowId: 'wire-money' }),
        )
      ).status,
    ).toBe(422);
    expect((await api.trigger(disputeEvent({}), null)).status).toBe(401);

    const names = topicNames(system.topicPrefix);
    const dlq = await kafka.read(deadLetterTopic(names.triggerIngress));
    await kafka.produce(names.triggerIngress, [{ key: 'junk', value: 'not json at all' }]);
    await expectEventually(() => expect(dlq).toHaveLength(1));
    expect(dlq[0]!.headers['baton-dlq-reason']).toBe('invalid-message');

    // The rules decide a structured dispute without the model.
    const runId = await start(
      disputeEvent({
        customerId: 'cus_1001',
        invoiceId: 'inv_2001',
        disputedAmount: 12,
        message: 'Form: disputed 12.',
      }),
    );
    expect((await api.waitForRun(runId, ['completed', 'failed', 'rejected'])).status).toBe(
      'completed',
    );
    expect(await credits(runId)).toEqual([{ amount: '12.00', invoice_id: 'inv_2001' }]);
  });

  it('de-duplicates a trigger sent over HTTP and then over Kafka', async () => {
    const event = disputeEvent({
      customerId: 'cus_1001',
      invoiceId: 'inv_2001',
      disputedAmount: 5,
      message: 'dup',
    });
    const runId = await start(event);
    const names = topicNames(system.topicPrefix);
    await kafka.produce(names.triggerIngress, [
      { key: `${event.tenantId}:${event.idempotencyKey}`, value: JSON.stringify(event) },
    ]);
    const again = await api.trigger(event);
    expect(again).toMatchObject({ status: 200, body: { runId, duplicate: true } });
    await api.waitForRun(runId, ['completed']);
    expect(await credits(runId)).toHaveLength(1);
  });

  it('completes a run whose action service was down (killed) when the run reached it', async () => {
    await system.stopService('action', 'SIGKILL');
    const runId = await start(
      disputeEvent({
        customerId: 'cus_1001',
        invoiceId: 'inv_2002',
        disputedAmount: 7,
        message: 'restart',
      }),
    );
    await expectEventually(
      async () => expect(stepNames(await api.run(runId))).toContain('validation:passed'),
      { timeoutMs: 30_000 },
    );
    await system.startService('action');
    const done = await api.waitForRun(runId, ['completed', 'failed', 'rejected'], 90_000);
    expect(done.status).toBe('completed');
    expect(await credits(runId)).toHaveLength(1);
    expect(await replies(runId)).toHaveLength(1);
  });

  it('starts a run from a trigger event kcat publishes to the ingress topic', async () => {
    const event = disputeEvent({
      customerId: 'cus_1001',
      invoiceId: 'inv_2001',
      disputedAmount: 3,
      message: 'kcat',
    });
    const names = topicNames(system.topicPrefix);
    await run('bash', [
      '-c',
      `printf '%s' '${JSON.stringify(event)}' | kcat -P -b ${testKafkaBrokers().join(',')} -t ${names.triggerIngress} -k ${event.tenantId}:${event.idempotencyKey}`,
    ]);
    const runId = await expectEventually(async () => {
      const response = await fetch(`${system.url('trigger')}/v1/runs?limit=200`, {
        headers: bearer('reviewer'),
      });
      const { items: runs } = (await response.json()) as {
        items: Array<{ id: string; idempotencyKey: string }>;
      };
      const found = runs.find((r) => r.idempotencyKey === event.idempotencyKey);
      if (!found) throw new Error('no run yet');
      return found.id;
    });
    expect((await api.waitForRun(runId, ['completed', 'failed', 'rejected'])).status).toBe(
      'completed',
    );
  });

  // Last, so that every path above has logged what it logs: refusals, model errors and
  // silence, a killed service, cancel races, malformed triggers, retries.
  it('leaves no customer text and no secret in any service log', () => {
    const customerText = [
      'I was charged twice for October',
      'You billed me 240 twice',
      'Something is off with my bill',
      'Dana Whitfield',
      'Omar Haddad',
    ];
    const secrets = [...Object.values(TEST_KEYS), 'e2e-test-key', testSigningKey()];
    for (const service of SERVICES) {
      const logs = system.logs(service);
      expect(logs.length, service).toBeGreaterThan(0);
      for (const text of [...customerText, ...secrets])
        expect(logs.includes(text), `${service} logged ${JSON.stringify(text)}`).toBe(false);
    }
  });
});
