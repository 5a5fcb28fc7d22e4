import pg from 'pg';
import {
  deadLetterTopic,
  runEventFor,
  type Evidence,
  type RunEvent,
  type StepEnvelope,
} from '@baton/contracts';
import { DLQ_HEADER } from '@baton/messaging';
import {
  billingWorkflow,
  billingWorkflowWithSources,
  expectEventually,
  HelpdeskTestServer,
  seedBusinessData,
  testDatabaseUrl,
  writeWorkflows,
} from '@baton/testing';
import {
  ofRun,
  startServiceInProcess,
  type InProcessService,
  type Read,
} from '@baton/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contextService } from './context.service-definition.js';
import { contextFor, MESSAGE, startCrm } from './testing/context-envelopes.fixture.js';

// The advisory lock the slow source waits for while the test holds it.
const SLOW_LOCK = 710_000 + (process.pid % 100_000);
const HELPDESK_TOKEN = 'ctx-helpdesk-token-91b2f0';

describe('context service (in-process transport, real Postgres)', () => {
  let crm: Awaited<ReturnType<typeof startCrm>>;
  let helpdesk: HelpdeskTestServer;
  let service: InProcessService;
  let decisions: Read<StepEnvelope<'decision'>>;
  let events: Read<RunEvent>;
  let deadLetters: Read<{ runId: string }>;

  beforeAll(async () => {
    await seedBusinessData();
    crm = await startCrm();
    helpdesk = await HelpdeskTestServer.start(HELPDESK_TOKEN);
    const base = billingWorkflow();
    const customerSource = base.context.sources[0];
    const dir = writeWorkflows([
      base,
      billingWorkflowWithSources('slow-context', [
        customerSource,
        {
          name: 'slow-ledger',
          kind: 'sql',
          // Waits for a lock the test holds: it can only end by its timeout.
          query: `SELECT pg_advisory_xact_lock_shared(${SLOW_LOCK})::text AS waited, $1::text AS customer_id`,
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
            url: `${crm.url}/customers/{{ trigger.data.customerId }}`,
            timeoutMs: 2000,
            required: true,
          },
        ]),
        // No `customer` source here, so the reviewer cannot be shown evidence.customer.
        escalation: { ...(base['escalation'] as object), show: ['trigger.data.message'] },
        // The context service reads only sources; rules naming other sources would not load.
        decision: { rules: [] },
      },
      {
        ...billingWorkflowWithSources('helpdesk-context', [
          {
            name: 'echoed',
            kind: 'http',
            url: `${helpdesk.url}/api/echo-auth`,
            headers: { authorization: 'Bearer {{ secret.helpdesk-token }}' },
            timeoutMs: 2000,
            required: true,
          },
          {
            name: 'moved',
            kind: 'http',
            url: `${helpdesk.url}/api/moved`,
            timeoutMs: 2000,
            required: false,
          },
        ]),
        escalation: { ...(base['escalation'] as object), show: ['trigger.data.message'] },
        decision: { rules: [] },
      },
    ]);
    service = await startServiceInProcess(contextService, {
      workflowsDir: dir,
      // An unknown version is waited for (the registry may deliver it a moment late): briefly here.
      // The CRM source's test server is on loopback: the one host this deployment may call.
      env: {
        BATON_WORKFLOW_LOOKUP_WAIT_MS: '300',
        BATON_OUTBOUND_ALLOWED_HOSTS: '127.0.0.1',
        BATON_SECRET_HELPDESK_TOKEN: HELPDESK_TOKEN,
      },
    });
    decisions = await service.watch(service.names.steps.decision);
    events = await service.watch(service.names.runEvents);
    deadLetters = await service.watch(deadLetterTopic(service.names.steps.context));
  });

  afterAll(async () => {
    await service?.close();
    await crm?.close();
    await helpdesk?.close();
  });

  const send = (envelope: StepEnvelope<'context'>) =>
    service.publish(service.names.steps.context, envelope);
  const decisionOf = (runId: string) =>
    expectEventually(() => {
      const [found] = ofRun(decisions, runId);
      expect(found).toBeDefined();
      return found!;
    });
  const stepEventOf = (runId: string) =>
    expectEventually(() => {
      const found = ofRun(events, runId).find((e) => e.type === 'step.finished');
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
    expect(service.published(service.names.steps.decision, context.runId)).toHaveLength(1);
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

  it('turns a SQL source that exceeds its timeout into failed evidence, not a wait or a crash', async () => {
    // The test holds the lock the slow source waits for, until the step is done: the evidence
    // can only arrive because the source's timeout cut the statement off.
    const holder = new pg.Client({ connectionString: testDatabaseUrl() });
    await holder.connect();
    try {
      await holder.query('SELECT pg_advisory_lock($1)', [SLOW_LOCK]);
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
      expect((await stepEventOf(context.runId)).step).toMatchObject({
        outcome: 'gathered-weak',
        output: { sources: { 'slow-ledger': { status: 'failed', ms: expect.any(Number) } } },
      });
      // The statement was cancelled, not left waiting on the business database.
      await expectEventually(async () =>
        expect(
          await holder.query(
            `SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND objid = $1 AND NOT granted`,
            [SLOW_LOCK],
          ),
        ).toMatchObject({ rowCount: 0 }),
      );
    } finally {
      await holder.end();
    }
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

  it('sends an http source its secret header, never keeps the secret an answer echoes, and follows no redirect to another host', async () => {
    const context = contextFor({ customerId: 'cus_1001', message: MESSAGE }, 'helpdesk-context');
    await send(context);

    const decision = await decisionOf(context.runId);
    expect(bySource(decision.payload.state.evidence)).toEqual({
      echoed: {
        source: 'echoed',
        kind: 'record',
        weak: false,
        content: { got: 'Bearer [secret]' },
      },
      moved: {
        source: 'moved',
        kind: 'record',
        content: null,
        weak: false,
        failed: true,
        note: expect.stringContaining(
          `failed: 127.0.0.1 redirected to localhost:${helpdesk.port}: redirects are followed only on the same host`,
        ),
      },
    });
    expect(helpdesk.requests).not.toContain('GET /api/final');
    const event = await stepEventOf(context.runId);
    expect(JSON.stringify([decision, event])).not.toContain(HELPDESK_TOKEN);
  });

  it('dead-letters an envelope of an unknown workflow, unretried, once the registry wait is over', async () => {
    const context = contextFor({ customerId: 'cus_1001', message: MESSAGE }, 'no-such-workflow');
    await send(context);

    await expectEventually(() => expect(ofRun(deadLetters, context.runId)).toHaveLength(1));
    const [letter] = service.transport
      .records(deadLetterTopic(service.names.steps.context))
      .filter((record) => record.key === context.runId);
    expect(letter!.headers).toMatchObject({
      [DLQ_HEADER.reason]: 'handler-rejected',
      [DLQ_HEADER.attempts]: '1',
    });
    expect(letter!.headers[DLQ_HEADER.errors]).toContain(
      'unknown-workflow: workflow no-such-workflow@1',
    );
    expect((await stepEventOf(context.runId)).step).toMatchObject({ outcome: 'dead-lettered' });
    expect(service.published(service.names.steps.decision, context.runId)).toEqual([]);
  });

  it('reads no source and ends the run when it is past its deadline', async () => {
    const context = contextFor({ customerId: 'cus_1001', message: MESSAGE });
    const late = { ...context, deadline: new Date(Date.now() - 1000).toISOString() };
    await send(late);
    const ended = await expectEventually(() => {
      const found = ofRun(events, late.runId).find((e) => e.type === 'run.ended');
      expect(found).toBeDefined();
      return found!;
    });
    expect(ended).toMatchObject({
      status: 'failed',
      reason: expect.stringMatching(/^stopped: deadline passed/),
    });
    expect((await stepEventOf(late.runId)).step).toMatchObject({ outcome: 'stopped' });
    expect(service.published(service.names.steps.decision, late.runId)).toEqual([]);
  });

  it('reads no source of a run that has ended: only a run-ended step report, nothing sent on', async () => {
    const context = contextFor({ customerId: 'cus_ended', message: MESSAGE }, 'crm-context');
    // As the run ledger relays it to the run-ended topic.
    await service.publish(
      service.names.runEnded,
      runEventFor(context, { type: 'run.ended', status: 'cancelled', reason: 'withdrawn' }),
    );
    await expectEventually(async () =>
      expect(
        await service.dataSource.query('SELECT status FROM ended_runs WHERE run_id = $1', [
          context.runId,
        ]),
      ).toEqual([{ status: 'cancelled' }]),
    );

    await send(context);
    expect((await stepEventOf(context.runId)).step).toMatchObject({
      envelopeId: context.envelopeId,
      outcome: 'run-ended',
      output: {
        status: 'cancelled',
        reason: 'withdrawn',
        skipped: 'run ended (cancelled: withdrawn)',
      },
    });
    expect(service.published(service.names.steps.decision, context.runId)).toEqual([]);
    expect(crm.requests).not.toContain('/customers/cus_ended');
  });
});
