import { nextStep } from '@baton/contracts';
import type { MessagingRuntime } from '@baton/messaging';
import { MESSAGING_RUNTIME } from '@baton/service-kit';
import { documentedAnswers, type DocumentedAnswers } from '@baton/service-kit/testing';
import { expectEventually } from '@baton/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  KEYS,
  creditProposal,
  startEscalation,
  type EscalationFixture,
} from './testing/escalation.fixture.js';
import { CreateTaskUseCase } from './use-cases/create-task/create-task.use-case.js';

const REASON = 'credits above 100 need a reviewer';

describe('escalation service: tasks and reviews (in-process transport, real Postgres)', () => {
  let esc: EscalationFixture;
  /** The answers below are also held against the OpenAPI document the service serves. */
  let answers: DocumentedAnswers;
  beforeAll(async () => {
    // An unknown workflow version is waited for (the registry may deliver it late): briefly here.
    esc = await startEscalation({ env: { BATON_WORKFLOW_LOOKUP_WAIT_MS: '300' } });
    answers = await documentedAnswers(esc.service.url);
  });
  afterAll(async () => {
    await esc?.close();
  });

  it('turns an escalation into a task with what a reviewer needs, and the run waits', async () => {
    const envelope = await esc.escalate();
    const taskId = await esc.taskIdOf(envelope);
    await expectEventually(() =>
      expect(esc.eventsOf(envelope.runId, 'run.waiting')).toEqual([
        expect.objectContaining({ reason: REASON }),
      ]),
    );
    expect(esc.eventsOf(envelope.runId, 'step.finished')[0]!.step).toMatchObject({
      name: 'escalate',
      kind: 'escalation',
      envelopeId: envelope.envelopeId,
      outcome: 'task-created',
      output: { taskId, queue: 'billing', reason: REASON },
    });

    const { status, body: task } = await esc.api('GET', `/v1/tasks/${taskId}`, KEYS.reviewer);
    expect(status).toBe(200);
    expect(task).toMatchObject({
      id: taskId,
      runId: envelope.runId,
      workflow: { id: 'billing-dispute', version: 1 },
      tenantId: 'acme',
      queue: 'billing',
      status: 'open',
      reason: REASON,
      escalatedFrom: { step: 'escalate', seq: envelope.step.seq },
      proposal: creditProposal,
      trigger: envelope.payload.state.trigger,
      weakEvidence: true,
      evidence: [
        expect.objectContaining({ source: 'customer', weak: false }),
        expect.objectContaining({ source: 'invoices', weak: false }),
        expect.objectContaining({ source: 'policy', weak: true, note: 'low score' }),
      ],
      history: envelope.payload.state.history,
      overdue: false,
      escalatedAt: null,
      decision: null,
    });
    expect(answers.problems('get', '/v1/tasks/{id}', 200, task)).toEqual([]);
    const sla = Date.parse(task['slaDueAt'] as string) - Date.parse(task['createdAt'] as string);
    expect(sla).toBe(240 * 60_000); // billing-dispute: escalation.slaMinutes 240

    const list = await esc.api('GET', '/v1/tasks?status=open&queue=billing', KEYS.reviewer);
    expect(list.status).toBe(200);
    expect(answers.problems('get', '/v1/tasks', 200, list.body)).toEqual([]);
    expect(list.body['items']).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          id: taskId,
          runId: envelope.runId,
          status: 'open',
          reason: REASON,
          proposal: creditProposal,
          overdue: false,
        }),
      ]),
    );
  });

  it('makes one task per envelope when the same envelope is delivered twice', async () => {
    const first = await esc.escalate();
    await esc.publish(first); // redelivered: same envelope id
    // A later envelope of the same run (same key, handled in order, after the duplicate).
    const later = nextStep(first, { name: 'escalate', kind: 'escalation' }, first.payload);
    await esc.publish(later);
    await esc.taskIdOf(later);
    // The runId filter answers this run's tasks only (the other tests' tasks share the table).
    const tasks = await esc.api('GET', `/v1/tasks?runId=${first.runId}`, KEYS.reviewer);
    const ofRun = tasks.body['items'] as Array<{ runId: string }>;
    expect(ofRun.map((task) => task.runId)).toEqual([first.runId, first.runId]);
    expect(esc.eventsOf(first.runId, 'run.waiting')).toHaveLength(2);
    // Past the inbox, the table itself is unique on the source envelope.
    const runtime = esc.service.app.get<symbol, MessagingRuntime>(MESSAGING_RUNTIME);
    const again = await runtime.transaction((tx) =>
      esc.service.app.get(CreateTaskUseCase).execute(first, tx),
    );
    expect(again).toEqual({ taskId: await esc.taskIdOf(first), queue: 'billing', created: false });
  });

  it('dead-letters an escalation of a workflow version it does not know, and opens no task', async () => {
    const envelope = await esc.escalate({ workflow: { id: 'billing-dispute', version: 999 } });
    await expectEventually(() =>
      expect(esc.deadLetters().map((dead) => dead.runId)).toContain(envelope.runId),
    );
    await expectEventually(() =>
      expect(esc.eventsOf(envelope.runId, 'step.finished')).toEqual([
        expect.objectContaining({
          step: expect.objectContaining({
            envelopeId: envelope.envelopeId,
            outcome: 'dead-lettered',
            output: { deadLetter: expect.objectContaining({ error: 'UnknownWorkflow' }) },
          }),
        }),
      ]),
    );
    expect(esc.eventsOf(envelope.runId, 'run.waiting')).toEqual([]);
    const tasks = await esc.api('GET', `/v1/tasks?runId=${envelope.runId}`, KEYS.reviewer);
    expect(tasks.body['items']).toEqual([]);
  });

  it('approves as proposed: a review-approved decision envelope, the reviewer recorded', async () => {
    const envelope = await esc.escalate();
    const taskId = await esc.taskIdOf(envelope);
    const approved = await esc.api('POST', `/v1/tasks/${taskId}/approve`, KEYS.reviewer, {
      note: 'checked the bank statement',
    });
    expect(approved.status).toBe(200);
    expect(answers.problems('post', '/v1/tasks/{id}/approve', 200, approved.body)).toEqual([]);
    const decision = { ...creditProposal, decidedBy: 'reviewer' };
    expect(approved.body).toMatchObject({
      status: 'approved',
      decision: {
        outcome: 'approved',
        reviewer: { name: 'reviewer-user', role: 'reviewer' },
        note: 'checked the bank statement',
        decision,
      },
    });
    expect(
      Date.parse((approved.body['decision'] as { decidedAt: string }).decidedAt),
    ).toBeGreaterThan(0);

    const [resumed] = await expectEventually(() => {
      const found = esc.decisionsOf(envelope.runId);
      expect(found).toHaveLength(1);
      return found;
    });
    expect(resumed).toMatchObject({
      causationId: envelope.envelopeId,
      step: { name: 'review', kind: 'decision', seq: envelope.step.seq + 1 },
      payload: { kind: 'decision', reason: 'review-approved' },
    });
    expect(resumed!.payload.state.history).toEqual([
      ...envelope.payload.state.history,
      {
        name: 'review',
        kind: 'escalation',
        seq: envelope.step.seq,
        outcome: 'approved',
        output: {
          reviewer: { name: 'reviewer-user', role: 'reviewer' },
          note: 'checked the bank statement',
          decision,
        },
      },
    ]);
    await expectEventually(() =>
      expect(esc.eventsOf(envelope.runId, 'run.resumed')).toEqual([
        expect.objectContaining({ reason: 'review-approved by reviewer-user' }),
      ]),
    );
    const stored = await esc.api('GET', `/v1/tasks/${taskId}`, KEYS.reviewer);
    expect(stored.body).toMatchObject({ status: 'approved', decision: { outcome: 'approved' } });
  });

  it('records approval with other args as edited and sends the edited args on', async () => {
    const envelope = await esc.escalate();
    const taskId = await esc.taskIdOf(envelope);
    const args = { ...creditProposal.args, amount: 75 };
    const edited = await esc.api('POST', `/v1/tasks/${taskId}/approve`, KEYS.admin, { args });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({
      status: 'approved',
      decision: { outcome: 'edited', reviewer: { name: 'admin-user', role: 'admin' }, args },
    });
    const [resumed] = await expectEventually(() => {
      const found = esc.decisionsOf(envelope.runId);
      expect(found).toHaveLength(1);
      return found;
    });
    expect(resumed!.payload.reason).toBe('review-approved');
    expect(resumed!.payload.state.history.at(-1)).toMatchObject({
      name: 'review',
      outcome: 'edited',
      output: { args, decision: { ...creditProposal, args, decidedBy: 'reviewer' } },
    });
  });

  it('rejects only with a reason, then resumes the run with review-rejected', async () => {
    const envelope = await esc.escalate();
    const taskId = await esc.taskIdOf(envelope);
    const missing = await esc.api('POST', `/v1/tasks/${taskId}/reject`, KEYS.reviewer, {});
    expect(missing.status).toBe(400);
    expect(missing.body['problems']).toEqual(
      expect.arrayContaining([expect.stringMatching(/^reason: /)]),
    );
    const blank = await esc.api('POST', `/v1/tasks/${taskId}/reject`, KEYS.reviewer, {
      reason: ' ',
    });
    expect(blank.status).toBe(400);
    expect((await esc.api('GET', `/v1/tasks/${taskId}`, KEYS.reviewer)).body['status']).toBe(
      'open',
    );

    const reason = 'The second charge is a separate order.';
    const rejected = await esc.api('POST', `/v1/tasks/${taskId}/reject`, KEYS.reviewer, { reason });
    expect(rejected.status).toBe(200);
    expect(rejected.body).toMatchObject({
      status: 'rejected',
      decision: { outcome: 'rejected', reason, reviewer: { name: 'reviewer-user' } },
    });
    const [resumed] = await expectEventually(() => {
      const found = esc.decisionsOf(envelope.runId);
      expect(found).toHaveLength(1);
      return found;
    });
    expect(resumed!.payload.reason).toBe('review-rejected');
    expect(resumed!.payload.state.history.at(-1)).toMatchObject({
      name: 'review',
      kind: 'escalation',
      outcome: 'rejected',
      output: { reason, decision: { ...creditProposal, decidedBy: 'reviewer' } },
    });
  });
});
