import {
  runEventFor,
  type DecisionRecord,
  type RunEvent,
  type StepEnvelope,
  type StepRecord,
} from '@baton/contracts';
import { DLQ_HEADER } from '@baton/messaging';
import { expectEventually } from '@baton/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decisionService } from './decision.service-definition.js';
import { aDecision } from './testing/decision-envelopes.fixture.js';
import {
  ofRun,
  startServiceInProcess,
  type InProcessService,
  type Read,
} from '@baton/service-kit/testing';

const proposal: DecisionRecord = {
  next: 'act',
  tool: 'issue-credit',
  args: { customerId: 'cus_1001', invoiceId: 'inv_8', amount: 120 },
  label: 'duplicate-charge',
  confidence: 0.85,
  rationale: 'Two identical March invoices.',
  decidedBy: 'model',
};
const review = (outcome: string, output: Record<string, unknown>): StepRecord => ({
  name: 'review',
  kind: 'escalation',
  seq: 4,
  outcome,
  output,
});

// Without OPENAI_API_KEY: what the decision step does before and instead of asking a model.
describe('decision service: limits, reviewer verdicts and rules only (no OPENAI_API_KEY)', () => {
  let service: InProcessService;
  let validations: Read<StepEnvelope<'validation'>>;
  let escalations: Read<StepEnvelope<'escalation'>>;
  let events: Read<RunEvent>;
  let deadLetters: Read<{ runId: string }>;

  // Deterministic once the step has reported (see InProcessService.published): for "nothing was sent on".
  const sentOn = (runId: string) =>
    [
      service.names.steps.validation,
      service.names.steps.escalation,
      service.names.steps.action,
    ].flatMap((topic) => service.published(topic, runId));
  const ended = (runId: string) =>
    expectEventually(() => {
      const found = ofRun(events, runId).find((e) => e.type === 'run.ended');
      expect(found).toBeDefined();
      return found!;
    });
  const decide = (envelope: StepEnvelope<'decision'>) =>
    service.publish(service.names.steps.decision, envelope);
  const finishedOf = (runId: string) =>
    expectEventually(() => {
      const found = ofRun(events, runId).find((e) => e.type === 'step.finished');
      expect(found).toBeDefined();
      return found!;
    });
  const endedRun = (runId: string) =>
    service.dataSource.query('SELECT status, reason FROM ended_runs WHERE run_id = $1', [
      runId,
    ]) as Promise<Array<{ status: string; reason: string | null }>>;
  // Would act (structured dispute) if nothing stopped it.
  const structuredDispute = {
    customerId: 'cus_1001',
    message: 'x',
    invoiceId: 'inv_8',
    disputedAmount: 25,
  };

  beforeAll(async () => {
    service = await startServiceInProcess(decisionService, {
      // An unknown version is waited for (the registry may deliver it a moment late): briefly here.
      env: { BATON_WORKFLOW_LOOKUP_WAIT_MS: '300' },
    });
    const { steps } = service.names;
    validations = await service.watch(steps.validation);
    escalations = await service.watch(steps.escalation);
    events = await service.watch(service.names.runEvents);
    deadLetters = await service.watch(`${steps.decision}.dlq`);
  });
  afterAll(() => service?.close());

  it('escalates a run no rule decides, saying why', async () => {
    const envelope = aDecision();
    await decide(envelope);
    const [escalation] = await expectEventually(() => {
      expect(ofRun(escalations, envelope.runId)).toHaveLength(1);
      return ofRun(escalations, envelope.runId);
    });
    expect(escalation!.payload.reason).toBe(
      "no rule decides and no model is configured (no OPENAI_API_KEY): decisions use the workflow's rules only",
    );
  });

  it('escalates a run whose required source failed, instead of reading its silence as "not found"', async () => {
    const envelope = aDecision({
      data: structuredDispute,
      evidence: [
        {
          source: 'customer',
          kind: 'record',
          content: null,
          weak: true,
          failed: true,
          note: 'required source failed: sorry, too many clients already (SQLSTATE 53300)',
        },
      ],
    });
    await decide(envelope);
    const [escalation] = await expectEventually(() => {
      expect(ofRun(escalations, envelope.runId)).toHaveLength(1);
      return ofRun(escalations, envelope.runId);
    });
    expect(escalation!.payload.reason).toBe(
      'source customer failed: required source failed: sorry, too many clients already (SQLSTATE 53300); a person decides',
    );
    expect(escalation!.payload.decision).toMatchObject({ label: 'source-failed' });
    expect(ofRun(validations, envelope.runId)).toEqual([]);
  });

  it('stops a run that has no steps left before deciding anything', async () => {
    // The rules would act on this one (structured dispute) if the run had steps left.
    const envelope = aDecision({
      stepsLeft: 0,
      data: { customerId: 'cus_1001', message: 'x', invoiceId: 'inv_8', disputedAmount: 25 },
    });
    await decide(envelope);
    expect(await ended(envelope.runId)).toMatchObject({
      status: 'failed',
      reason: 'stopped: max steps reached',
    });
    const finished = ofRun(events, envelope.runId).find((e) => e.type === 'step.finished');
    expect(finished?.step?.outcome).toBe('stopped');
    expect(sentOn(envelope.runId)).toEqual([]);
  });

  it("sends a reviewer's approved (edited) proposal through validation's gate, like any proposal", async () => {
    const edited = { customerId: 'cus_1001', invoiceId: 'inv_8', amount: 90 };
    const envelope = aDecision({
      reason: 'review-approved',
      history: [
        review('edited', {
          reviewer: { name: 'maria', role: 'reviewer' },
          args: edited,
          decision: { ...proposal, args: edited },
        }),
      ],
    });
    await decide(envelope);
    const [validation] = await expectEventually(() => {
      expect(ofRun(validations, envelope.runId)).toHaveLength(1);
      return ofRun(validations, envelope.runId);
    });
    expect(validation).toMatchObject({
      step: { name: 'validate-proposal', kind: 'validation' },
      payload: { decision: { ...proposal, args: edited, decidedBy: 'reviewer' } },
    });
    expect(service.published(service.names.steps.action, envelope.runId)).toEqual([]);
  });

  it("ends a rejected run with the reviewer's reason", async () => {
    const envelope = aDecision({
      reason: 'review-rejected',
      history: [review('rejected', { reviewer: 'maria', reason: 'Already refunded by phone.' })],
    });
    await decide(envelope);
    expect(await ended(envelope.runId)).toMatchObject({
      status: 'rejected',
      reason: 'Already refunded by phone.',
    });
    expect(sentOn(envelope.runId)).toEqual([]);
  });

  it('does not run an approved tool the workflow does not grant', async () => {
    const envelope = aDecision({
      reason: 'review-approved',
      history: [
        review('approved', { reviewer: 'maria', decision: { ...proposal, tool: 'wire-money' } }),
      ],
    });
    await decide(envelope);
    const [escalation] = await expectEventually(() => {
      expect(ofRun(escalations, envelope.runId)).toHaveLength(1);
      return ofRun(escalations, envelope.runId);
    });
    expect(escalation!.payload.reason).toBe(
      'reviewer proposed tool "wire-money", which this workflow does not grant',
    );
    expect(service.published(service.names.steps.action, envelope.runId)).toEqual([]);
  });

  it('completes the run when the rules say it is done', async () => {
    const done = (name: string): StepRecord => ({
      name,
      kind: 'action',
      seq: 3,
      outcome: 'succeeded',
      output: { args: {}, result: { status: 'succeeded' } },
    });
    const envelope = aDecision({
      reason: 'action-succeeded',
      history: [done('issue-credit'), done('draft-reply')],
    });
    await decide(envelope);
    expect(await ended(envelope.runId)).toMatchObject({
      status: 'completed',
      reason: 'The credit decision is made and the reply is drafted.',
    });
  });

  it('dead-letters a reviewer verdict that carries no review record, at once', async () => {
    const envelope = aDecision({ reason: 'review-approved', history: [] });
    await decide(envelope);
    await expectEventually(() => expect(ofRun(deadLetters, envelope.runId)).toHaveLength(1));
    expect(sentOn(envelope.runId)).toEqual([]);
  });

  it('dead-letters an envelope of a workflow version it does not know, unretried, once the registry wait is over', async () => {
    const envelope = { ...aDecision({ data: structuredDispute }) };
    envelope.workflow = { ...envelope.workflow, version: 99 };
    await decide(envelope);
    await expectEventually(() => expect(ofRun(deadLetters, envelope.runId)).toHaveLength(1));
    const [letter] = service.transport
      .records(`${service.names.steps.decision}.dlq`)
      .filter((record) => record.key === envelope.runId);
    expect(letter!.headers).toMatchObject({
      [DLQ_HEADER.reason]: 'handler-rejected',
      [DLQ_HEADER.attempts]: '1',
    });
    expect((await finishedOf(envelope.runId)).step).toMatchObject({
      outcome: 'dead-lettered',
      output: { deadLetter: { reason: 'handler-rejected', error: 'UnknownWorkflow' } },
    });
    expect(sentOn(envelope.runId)).toEqual([]);
  });

  it('does not decide a cancelled run: only a run-ended step.finished, nothing sent on', async () => {
    const envelope = aDecision({ data: structuredDispute });
    const cancelled = runEventFor(envelope, {
      type: 'run.ended',
      status: 'cancelled',
      reason: 'customer withdrew the dispute',
    });
    // As the run ledger relays it to the run-ended topic.
    await service.publish(service.names.runEnded, cancelled);
    await expectEventually(async () =>
      expect(await endedRun(envelope.runId)).toEqual([
        { status: 'cancelled', reason: 'customer withdrew the dispute' },
      ]),
    );
    // A later terminal event (or a redelivery) does not overwrite the first.
    await service.publish(
      service.names.runEnded,
      runEventFor(envelope, { type: 'run.ended', status: 'failed', reason: 'late' }),
    );
    await service.publish(service.names.runEnded, cancelled);

    await decide(envelope);
    const finished = await finishedOf(envelope.runId);
    expect(finished.step).toMatchObject({
      name: 'decide',
      kind: 'decision',
      envelopeId: envelope.envelopeId,
      outcome: 'run-ended',
      output: { status: 'cancelled', reason: 'customer withdrew the dispute' },
    });
    expect(sentOn(envelope.runId)).toEqual([]);
    expect(service.published(service.names.runEvents, envelope.runId).map((e) => e.type)).toEqual([
      'step.finished',
    ]);
    expect(await endedRun(envelope.runId)).toEqual([
      { status: 'cancelled', reason: 'customer withdrew the dispute' },
    ]);
  });

  it('decides a run that has not ended as before, and remembers the run.ended the ledger relays', async () => {
    const other = aDecision({ data: structuredDispute });
    await service.publish(
      service.names.runEnded,
      runEventFor(other, { type: 'run.ended', status: 'cancelled', reason: 'another run' }),
    );
    const envelope = aDecision({ data: structuredDispute });
    await decide(envelope);
    expect((await finishedOf(envelope.runId)).step?.outcome).toBe('act');
    await expectEventually(() => expect(ofRun(validations, envelope.runId)).toHaveLength(1));

    // The run.ended the decision service emits goes to the ledger, which relays it back.
    const stopped = aDecision({ stepsLeft: 0 });
    await decide(stopped);
    await service.publish(service.names.runEnded, await ended(stopped.runId));
    await expectEventually(async () =>
      expect(await endedRun(stopped.runId)).toEqual([
        { status: 'failed', reason: 'stopped: max steps reached' },
      ]),
    );
  });
});
