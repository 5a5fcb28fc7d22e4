import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  aContextEnvelope,
  deadLetterTopic,
  type Evidence,
  type RunEvent,
  type StepEnvelope,
} from '@baton/contracts';
import { DLQ_HEADER } from '@baton/messaging';
import {
  TestKafka,
  expectEventually,
  type ReadRecord,
  billingWorkflow,
  billingWorkflowWithSources,
  writeWorkflows,
  seedBusinessData,
} from '@baton/testing';
import { startService, type StartedService } from '@baton/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contextService } from './context.service-definition.js';

const MESSAGE = 'Hello, I was charged twice for the same month on my last invoice.';

/** A CRM stand-in for the http source: knows cus_1001, 404 for anyone else. */
function startCrm(): Promise<Server> {
  const server = createServer((req, res) => {
    const known = req.url === '/customers/cus_1001';
    res.writeHead(known ? 200 : 404, { 'content-type': 'application/json' });
    res.end(JSON.stringify(known ? { id: 'cus_1001', segment: 'smb' } : { error: 'not found' }));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describe('context service over the real Kafka broker and Postgres', () => {
  const kafka = new TestKafka();
  let crm: Server;
  let service: StartedService;
  let decisions: ReadRecord[];
  let events: ReadRecord[];
  let deadLetters: ReadRecord[];

  beforeAll(async () => {
    await seedBusinessData();
    crm = await startCrm();
    const base = billingWorkflow();
    const customerSource = base.context.sources[0];
    const dir = writeWorkflows([
      base,
      billingWorkflowWithSources('slow-context', [
        customerSource,
        {
          name: 'slow-ledger',
          kind: 'sql',
          query: 'SELECT pg_sleep(5) AS slept, $1::text AS customer_id',
          params: ['trigger.data.customerId'],
          rows: 'one',
          timeoutMs: 300,
          required: true,
        },
      ]),
      {
        ...billingWorkflowWithSources('crm-context', [
          {
            name: 'crm',
            kind: 'http',
            url: `http://127.0.0.1:${(crm.address() as AddressInfo).port}/customers/{{ trigger.data.customerId }}`,
            timeoutMs: 2000,
            required: true,
          },
        ]),
        // No `customer` source here, so the reviewer cannot be shown evidence.customer.
        escalation: { ...(base['escalation'] as object), show: ['trigger.data.message'] },
        // The context service reads only sources; rules naming other sources would not load.
        decision: { rules: [] },
      },
    ]);
    service = await startService(contextService, { workflowsDir: dir });
    decisions = await kafka.read(service.names.steps.decision);
    events = await kafka.read(service.names.runEvents);
    deadLetters = await kafka.read(deadLetterTopic(service.names.steps.context));
  });

  afterAll(async () => {
    await service?.close();
    await kafka.close();
    await new Promise((resolve) => crm?.close(resolve));
  });

  const send = (envelope: StepEnvelope<'context'>) =>
    kafka.produce(service.names.steps.context, [
      { key: envelope.runId, value: JSON.stringify(envelope) },
    ]);
  const contextFor = (data: Record<string, unknown>, workflowId = 'billing-dispute') => {
    const envelope = aContextEnvelope({ data });
    return { ...envelope, workflow: { id: workflowId, version: 1 } };
  };
  const decisionOf = (runId: string) =>
    expectEventually(() => {
      const found = decisions
        .map((r) => JSON.parse(r.value!.toString()) as StepEnvelope<'decision'>)
        .find((e) => e.runId === runId);
      expect(found).toBeDefined();
      return found!;
    });
  const stepEventOf = (runId: string) =>
    expectEventually(() => {
      const found = events
        .map((r) => JSON.parse(r.value!.toString()) as RunEvent)
        .find((e) => e.runId === runId && e.type === 'step.finished');
      expect(found).toBeDefined();
      return found!;
    });
  const bySource = (evidence: Evidence[]) => Object.fromEntries(evidence.map((e) => [e.source, e]));

  it('finds the customer, their invoices and the policy passage for cus_1001', async () => {
    const context = contextFor({ customerId: 'cus_1001', message: MESSAGE });
    await send(context);

    const decision = await decisionOf(context.runId);
    expect(decision).toMatchObject({
      causationId: context.envelopeId,
      step: { name: 'decide', kind: 'decision', seq: 1 },
      payload: { kind: 'decision', reason: 'context-gathered' },
    });
    const { state } = decision.payload;
    expect(state.trigger).toEqual(context.payload.trigger);
    expect(state.history).toEqual([]);
    expect(state.weakEvidence).toBe(false);
    const evidence = bySource(state.evidence);
    expect(evidence['customer']).toEqual({
      source: 'customer',
      kind: 'record',
      weak: false,
      content: {
        id: 'cus_1001',
        name: 'Dana Whitfield',
        plan: 'team',
        tenure_months: 26,
        status: 'active',
      },
    });
    expect(evidence['invoices']).toMatchObject({ kind: 'record', weak: false });
    expect(evidence['invoices']!.content).toEqual([
      expect.objectContaining({
        id: 'inv_2001',
        amount: 36,
        issued_at: '2026-11-01T00:00:00.000Z',
      }),
      expect.objectContaining({ id: 'inv_2002', amount: 18 }),
    ]);
    // A long message still matches: its words are ORed, and the duplicate-charge policy ranks first.
    expect(evidence['policy']).toMatchObject({ kind: 'passage', ref: 'policy-1', weak: false });
    expect(evidence['policy']!.score).toBeGreaterThanOrEqual(0.01);

    const event = await stepEventOf(context.runId);
    expect(event.step).toMatchObject({
      name: 'gather-context',
      kind: 'context',
      seq: 0,
      envelopeId: context.envelopeId,
      outcome: 'gathered',
      output: {
        weakEvidence: false,
        sources: {
          customer: { status: 'ok', ms: expect.any(Number) },
          invoices: { status: 'ok', ms: expect.any(Number) },
          policy: { status: 'ok', ms: expect.any(Number) },
        },
      },
    });
  });

  it('records an unknown customer as weak evidence with a note, and a missing id too', async () => {
    const unknown = contextFor({ customerId: 'cus_9999', message: MESSAGE });
    const noId = contextFor({ message: MESSAGE });
    await send(unknown);
    await send(noId);

    const state = (await decisionOf(unknown.runId)).payload.state;
    expect(state.weakEvidence).toBe(true);
    const evidence = bySource(state.evidence);
    expect(evidence['customer']).toEqual({
      source: 'customer',
      kind: 'record',
      content: null,
      weak: true,
      note: 'required source found nothing: no row matched trigger.data.customerId',
    });
    expect(evidence['invoices']).toMatchObject({ content: [], weak: true });
    expect((await stepEventOf(unknown.runId)).step).toMatchObject({
      outcome: 'gathered-weak',
      output: { weakEvidence: true, sources: { customer: { status: 'weak' } } },
    });

    const missing = bySource((await decisionOf(noId.runId)).payload.state.evidence);
    expect(missing['customer']).toMatchObject({
      weak: true,
      note: 'required source was not queried: trigger.data.customerId is missing',
    });
  });

  it('turns a SQL source that exceeds its timeout into weak evidence, not a crash', async () => {
    const context = contextFor({ customerId: 'cus_1001', message: MESSAGE }, 'slow-context');
    await send(context);

    const state = (await decisionOf(context.runId)).payload.state;
    const evidence = bySource(state.evidence);
    expect(evidence['customer']).toMatchObject({ weak: false, content: { id: 'cus_1001' } });
    expect(evidence['slow-ledger']).toEqual({
      source: 'slow-ledger',
      kind: 'record',
      content: null,
      weak: true,
      failed: true,
      note: 'required source failed: timed out after 300 ms',
    });
    expect(state.weakEvidence).toBe(true);
    const { output } = (await stepEventOf(context.runId)).step!;
    const slow = (output!['sources'] as Record<string, { ms: number }>)['slow-ledger']!;
    expect(slow.ms).toBeLessThan(2_000); // bounded by its timeout, not by pg_sleep(5)
  });

  it('reads an http source as JSON, and a 404 as weak evidence', async () => {
    const known = contextFor({ customerId: 'cus_1001', message: MESSAGE }, 'crm-context');
    const unknown = contextFor({ customerId: 'cus_0000', message: MESSAGE }, 'crm-context');
    await send(known);
    await send(unknown);

    expect((await decisionOf(known.runId)).payload.state.evidence).toEqual([
      { source: 'crm', kind: 'record', weak: false, content: { id: 'cus_1001', segment: 'smb' } },
    ]);
    expect((await decisionOf(unknown.runId)).payload.state.evidence).toEqual([
      {
        source: 'crm',
        kind: 'record',
        content: null,
        weak: true,
        note: 'required source found nothing: HTTP 404',
      },
    ]);
  });

  it('dead-letters an envelope of an unknown workflow at once', async () => {
    const context = contextFor({ customerId: 'cus_1001', message: MESSAGE }, 'no-such-workflow');
    await send(context);

    const letter = await expectEventually(() => {
      const found = deadLetters.find((r) => r.key === context.runId);
      expect(found).toBeDefined();
      return found!;
    });
    expect(letter.headers[DLQ_HEADER.reason]).toBe('handler-rejected');
    expect(letter.headers[DLQ_HEADER.errors]).toContain(
      'unknown-workflow: workflow no-such-workflow@1',
    );
    expect(decisions.some((r) => r.key === context.runId)).toBe(false);
  });

  it('reads no source and ends the run when it is past its deadline', async () => {
    const context = contextFor({ customerId: 'cus_1001', message: MESSAGE });
    const late = { ...context, deadline: new Date(Date.now() - 1000).toISOString() };
    await send(late);
    const ended = await expectEventually(() => {
      const found = events
        .map((r) => JSON.parse(r.value!.toString()) as RunEvent)
        .find((e) => e.runId === late.runId && e.type === 'run.ended');
      expect(found).toBeDefined();
      return found!;
    });
    expect(ended).toMatchObject({
      status: 'failed',
      reason: expect.stringMatching(/^stopped: deadline passed/),
    });
    expect((await stepEventOf(late.runId)).step).toMatchObject({ outcome: 'stopped' });
    expect(decisions.some((r) => r.key === late.runId)).toBe(false);
  });
});
