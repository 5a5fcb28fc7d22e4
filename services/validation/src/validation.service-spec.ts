import type { RunEvent, StepEnvelope, StepRecord } from '@baton/contracts';
import { expectEventually } from '@baton/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aCredit, aValidation } from './testing/validation-envelopes.fixture.js';
import {
  ofRun,
  startServiceInProcess,
  type InProcessService,
  type Read,
} from '@baton/service-kit/testing';
import { validationService } from './validation.service-definition.js';

const APPROVAL = "Credits above $50 need a reviewer's approval (refund policy §2).";

describe('validation service (in-process transport, real Postgres)', () => {
  let service: InProcessService;
  let decisions: Read<StepEnvelope<'decision'>>;
  let escalations: Read<StepEnvelope<'escalation'>>;
  let actions: Read<StepEnvelope<'action'>>;
  let events: Read<RunEvent>;
  let deadLetters: Read<{ runId: string }>;

  /** Publishes the envelope and returns the one envelope it caused on `read`, and its step report. */
  const validate = async <T extends { runId: string }>(
    envelope: StepEnvelope<'validation'>,
    read: Read<T>,
  ) => {
    await service.publish(service.names.steps.validation, envelope);
    return expectEventually(() => {
      const sent = ofRun(read, envelope.runId);
      const finished = ofRun(events, envelope.runId).find((e) => e.type === 'step.finished');
      expect(sent).toHaveLength(1);
      expect(finished).toBeDefined();
      return { sent: sent[0]!, report: finished!.step! };
    });
  };

  beforeAll(async () => {
    // An unknown version is waited for (the registry may deliver it a moment late): briefly here.
    service = await startServiceInProcess(validationService, {
      env: { BATON_WORKFLOW_LOOKUP_WAIT_MS: '300' },
    });
    const { steps } = service.names;
    decisions = await service.watch(steps.decision);
    escalations = await service.watch(steps.escalation);
    actions = await service.watch(steps.action);
    events = await service.watch(service.names.runEvents);
    deadLetters = await service.watch(`${steps.validation}.dlq`);
  });
  afterAll(() => service?.close());

  it('sends a small credit on to the action step', async () => {
    const envelope = aValidation(aCredit(20));
    const { sent, report } = await validate(envelope, actions);
    expect(sent).toMatchObject({
      causationId: envelope.envelopeId,
      step: { name: 'execute-issue-credit', kind: 'action', seq: envelope.step.seq + 1 },
      payload: { kind: 'action', decision: aCredit(20) },
    });
    expect(report.outcome).toBe('passed');
    expect(ofRun(escalations, envelope.runId)).toEqual([]);
  });

  it("sends a large credit to a reviewer with the approval's reason", async () => {
    const envelope = aValidation(aCredit(120));
    const { sent, report } = await validate(envelope, escalations);
    expect(sent.payload).toMatchObject({
      kind: 'escalation',
      reason: APPROVAL,
      decision: aCredit(120),
    });
    expect(report).toMatchObject({ outcome: 'needs-approval', output: { reason: APPROVAL } });
    expect(ofRun(actions, envelope.runId)).toEqual([]);
  });

  it('sends a proposal that fails a check back to the decision, recording the failure', async () => {
    const envelope = aValidation(aCredit(-5));
    const { sent, report } = await validate(envelope, decisions);
    expect(sent.payload.reason).toBe('validation-failed: A credit amount must be positive.');
    expect(sent.payload.state.history).toEqual([
      {
        name: 'validate',
        kind: 'validation',
        seq: envelope.step.seq,
        outcome: 'failed',
        output: {
          message: 'A credit amount must be positive.',
          problems: [
            {
              guard: 'check',
              subject: 'positive-credit',
              message: 'A credit amount must be positive.',
            },
          ],
          tool: 'issue-credit',
          args: aCredit(-5).args,
        },
      },
    ]);
    expect(report.outcome).toBe('failed');
    expect(ofRun(actions, envelope.runId)).toEqual([]);
  });

  it('escalates instead once the run has had maxFailures failed proposals', async () => {
    const failed: StepRecord = {
      name: 'validate',
      kind: 'validation',
      seq: 2,
      outcome: 'failed',
      output: {},
    };
    const envelope = aValidation(aCredit(900), { history: [failed, { ...failed, seq: 5 }] });
    const { sent, report } = await validate(envelope, escalations);
    expect(sent.payload.reason).toBe(
      'validation-failed: amount 900 is above the maximum of 500 for issue-credit; A credit never exceeds the invoice it is for. (3 failed proposals; the workflow sends back at most 2)',
    );
    expect(sent.payload.state.history).toHaveLength(3);
    expect(report).toMatchObject({ outcome: 'failed', output: { escalated: true, failures: 3 } });
    expect(ofRun(decisions, envelope.runId)).toEqual([]);
  });

  it('binds a pinned argument the proposal left out, and refuses one set otherwise, naming it', async () => {
    const { customerId: _, ...withoutCustomer } = aCredit(20).args!;
    const omitted = aValidation(aCredit(20, { args: withoutCustomer }));
    const { sent } = await validate(omitted, actions);
    expect(sent.payload.decision.args).toEqual(aCredit(20).args);

    const other = aValidation(
      aCredit(20, { args: { ...aCredit(20).args, customerId: 'cus_1002' } }),
    );
    const { sent: back, report } = await validate(other, decisions);
    expect(back.payload.reason).toBe(
      'validation-failed: argument customerId is pinned to trigger.data.customerId = "cus_1001"; the proposal set "cus_1002"',
    );
    expect(report).toMatchObject({
      outcome: 'failed',
      output: { problems: [{ guard: 'pinned', subject: 'customerId' }] },
    });
    expect(ofRun(actions, other.runId)).toEqual([]);
  });

  it('refuses an invoice that is not the customer’s, and a credit above its invoice', async () => {
    const foreign = aValidation(
      aCredit(5, { args: { ...aCredit(5).args, invoiceId: 'inv_2101' } }),
    );
    const { sent } = await validate(foreign, decisions);
    expect(sent.payload.reason).toBe(
      "validation-failed: The invoice is not one of the customer's invoices.",
    );
    const above = aValidation(aCredit(19, { args: { ...aCredit(19).args, invoiceId: 'inv_9' } }));
    const { sent: again } = await validate(above, decisions);
    expect(again.payload.reason).toBe(
      'validation-failed: A credit never exceeds the invoice it is for.',
    );
  });

  it("sends a reviewer's decision to the action step without asking for approval again, and a refused one back to a person", async () => {
    const approved = aValidation(aCredit(120, { decidedBy: 'reviewer' }));
    const { sent, report } = await validate(approved, actions);
    expect(sent.payload.decision).toMatchObject({ decidedBy: 'reviewer', args: { amount: 120 } });
    expect(report.output).toMatchObject({ approvedBy: 'reviewer' });

    const tooMuch = aValidation(aCredit(501, { decidedBy: 'reviewer' }));
    const { sent: escalated } = await validate(tooMuch, escalations);
    expect(escalated.payload.reason).toMatch(
      /^validation-failed: the reviewer's decision does not pass: amount 501 is above the maximum of 500/,
    );
    expect(ofRun(decisions, tooMuch.runId)).toEqual([]);
  });

  it('escalates a proposal that repeats a call that already failed in the run, with its error', async () => {
    const failed: StepRecord = {
      name: 'issue-credit',
      kind: 'action',
      seq: 3,
      outcome: 'failed',
      output: {
        args: aCredit(20).args,
        result: { status: 'failed', error: 'violates check constraint (SQLSTATE 23514)' },
      },
    };
    const envelope = aValidation(aCredit(20), { history: [failed] });
    const { sent, report } = await validate(envelope, escalations);
    expect(sent.payload.reason).toBe(
      'issue-credit failed at step 3 (violates check constraint (SQLSTATE 23514)) and rules proposed the same call again: a person takes over',
    );
    expect(report.outcome).toBe('repeated-failure');
    expect(ofRun(actions, envelope.runId)).toEqual([]);
  });

  it('ends the run instead of passing a proposal on when no step is left to run it', async () => {
    const envelope = aValidation(aCredit(20), { stepsLeft: 0 });
    await service.publish(service.names.steps.validation, envelope);
    const ended = await expectEventually(() => {
      const found = ofRun(events, envelope.runId).find((e) => e.type === 'run.ended');
      expect(found).toBeDefined();
      return found!;
    });
    expect(ended).toMatchObject({ status: 'failed', reason: 'stopped: max steps reached' });
    expect(ofRun(actions, envelope.runId)).toEqual([]);
  });

  it('escalates a call the action service refused, with the refusal as the reason', async () => {
    const result = {
      status: 'refused' as const,
      error: 'limit one-credit-per-invoice: 1 call already for inv_8 in the last 90d; at most 1',
    };
    const envelope = aValidation(aCredit(20), { result });
    const { sent } = await validate(envelope, escalations);
    expect(sent.payload).toMatchObject({
      reason: `refused: ${result.error}`,
      decision: aCredit(20),
    });
    expect(sent.payload.state.history.at(-1)).toMatchObject({
      name: 'issue-credit',
      kind: 'action',
      outcome: 'refused',
    });
    expect(ofRun(decisions, envelope.runId)).toEqual([]);
  });

  it('records an executed action in the history and asks the decision what comes next', async () => {
    const result = {
      status: 'succeeded' as const,
      // The row billing's statement returns: it passes issue-credit's result checks.
      output: { id: 'cr_1', customer_id: 'cus_1001', invoice_id: 'inv_8', amount: 20 },
      idempotencyKey: 'k:3:issue-credit',
    };
    const envelope = aValidation(aCredit(20), { result });
    const { sent, report } = await validate(envelope, decisions);
    expect(sent).toMatchObject({
      step: { name: 'decide', kind: 'decision' },
      payload: { reason: 'action-succeeded' },
    });
    expect(sent.payload.state.history).toEqual([
      {
        name: 'issue-credit',
        kind: 'action',
        seq: envelope.step.seq - 1,
        outcome: 'succeeded',
        output: { args: aCredit(20).args, result },
      },
    ]);
    expect(report).toMatchObject({
      outcome: 'recorded',
      output: { resultChecks: { checked: 2, failed: 0 } },
    });
  });

  it('escalates a write whose result fails its result checks, recording a failed validation', async () => {
    const result = {
      status: 'succeeded' as const,
      output: { id: 'cr_3', customer_id: 'cus_1001', invoice_id: 'inv_8', amount: 2000 },
      idempotencyKey: 'k:3:issue-credit',
    };
    const envelope = aValidation(aCredit(20), { result });
    const { sent, report } = await validate(envelope, escalations);
    expect(sent.payload).toMatchObject({
      reason: 'result-check-failed: The credit row does not carry the proposed amount.',
      decision: aCredit(20),
    });
    expect(sent.payload.state.history).toEqual([
      {
        name: 'issue-credit',
        kind: 'action',
        seq: envelope.step.seq - 1,
        outcome: 'succeeded',
        output: { args: aCredit(20).args, result },
      },
      {
        name: 'check-result',
        kind: 'validation',
        seq: envelope.step.seq,
        outcome: 'failed',
        output: {
          tool: 'issue-credit',
          message: 'The credit row does not carry the proposed amount.',
          failures: [
            {
              index: 0,
              expr: 'result.amount == args.amount',
              message: 'The credit row does not carry the proposed amount.',
            },
          ],
        },
      },
    ]);
    expect(report).toMatchObject({ outcome: 'failed', output: { message: expect.any(String) } });
    expect(ofRun(decisions, envelope.runId)).toEqual([]);
  });

  it('fails a result check closed when the result lacks what it looks at', async () => {
    const result = { status: 'succeeded' as const, output: { id: 'cr_4', amount: 20 } };
    const envelope = aValidation(aCredit(20), { result });
    const { sent } = await validate(envelope, escalations);
    expect(sent.payload.reason).toMatch(
      /^result-check-failed: The credit row is not on the proposed invoice of the customer who wrote in\. \(could not be evaluated, so it fails: .+\)$/,
    );
  });

  it('skips the result checks of a simulated write, saying so, and asks the decision what comes next', async () => {
    const result = {
      status: 'simulated' as const,
      output: { wouldExecute: { tool: 'issue-credit', args: aCredit(20).args } },
    };
    const envelope = aValidation(aCredit(20), { result });
    const { sent, report } = await validate(envelope, decisions);
    expect(sent.payload.reason).toBe('action-simulated');
    expect(report.output).toMatchObject({
      resultChecks: { skipped: 'simulated: nothing was written to check' },
    });
  });

  it('records the result under the tool and step the action names, not under a guess from the step name', async () => {
    const result = {
      status: 'succeeded' as const,
      output: { id: 'cr_2', customer_id: 'cus_1001', invoice_id: 'inv_8', amount: 20 },
    };
    const envelope = aValidation(aCredit(20), {
      result,
      executed: { tool: 'issue-credit', seq: 1 },
    });
    envelope.step.name = 'check-something-else';
    const { sent } = await validate(envelope, decisions);
    expect(sent.payload.state.history.at(-1)).toMatchObject({
      name: 'issue-credit',
      kind: 'action',
      seq: 1,
      outcome: 'succeeded',
    });
  });

  it('still records a result from an envelope sent before the action named what it executed', async () => {
    const result = { status: 'failed' as const, error: 'violates check constraint' };
    const envelope = aValidation(aCredit(20), { result, executed: null });
    expect(envelope.payload.executed).toBeUndefined();
    const { sent } = await validate(envelope, decisions);
    expect(sent.payload.reason).toBe('action-failed');
    expect(sent.payload.state.history.at(-1)).toMatchObject({
      name: 'issue-credit',
      seq: envelope.step.seq - 1,
      outcome: 'failed',
    });
  });

  it('dead-letters an envelope of a workflow version it does not know once the registry wait is over', async () => {
    const envelope = aValidation(aCredit(20), { workflowVersion: 99 });
    await service.publish(service.names.steps.validation, envelope);
    await expectEventually(() => expect(ofRun(deadLetters, envelope.runId)).toHaveLength(1));
    // Nothing was validated; the run ledger is told the step was lost, where and why.
    const reported = await expectEventually(() => {
      expect(ofRun(events, envelope.runId)).toHaveLength(1);
      return ofRun(events, envelope.runId)[0]!;
    });
    expect(reported).toMatchObject({
      type: 'step.finished',
      step: {
        envelopeId: envelope.envelopeId,
        name: envelope.step.name,
        outcome: 'dead-lettered',
        output: {
          deadLetter: {
            topic: `${service.names.steps.validation}.dlq`,
            reason: 'handler-rejected',
            error: 'UnknownWorkflow', // the name only: its message stays in the record's headers
          },
        },
      },
    });
  });
});
