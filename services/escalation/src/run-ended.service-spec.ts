import { nextStep, runEventFor, type StepEnvelope } from '@baton/contracts';
import { expectEventually } from '@baton/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEYS, startEscalation, type EscalationFixture } from './testing/escalation.fixture.js';

const CLOSED = 'run ended: cancelled: customer withdrew the dispute';

describe('escalation service: tasks of ended runs (in-process transport, real Postgres)', () => {
  let esc: EscalationFixture;
  beforeAll(async () => {
    esc = await startEscalation();
  });
  afterAll(async () => {
    await esc?.close();
  });

  const cancel = (envelope: StepEnvelope<'escalation'>, reason = 'customer withdrew the dispute') =>
    esc.publishRunEvent(runEventFor(envelope, { type: 'run.ended', status: 'cancelled', reason }));
  const task = async (taskId: string) =>
    (await esc.api('GET', `/v1/tasks/${taskId}`, KEYS.reviewer)).body;
  const listed = async (status: string) => {
    const page = await esc.api('GET', `/v1/tasks?status=${status}&limit=200`, KEYS.reviewer);
    expect(page.status).toBe(200);
    return (page.body['items'] as Array<{ id: string }>).map((item) => item.id);
  };

  it('closes the open task of a cancelled run; it cannot be approved or rejected', async () => {
    const envelope = await esc.escalate();
    const taskId = await esc.taskIdOf(envelope);
    const untouched = await esc.escalate(); // another run's task
    const otherId = await esc.taskIdOf(untouched);
    expect(await listed('open')).toContain(taskId);

    await cancel(envelope);
    await expectEventually(async () =>
      expect(await task(taskId)).toMatchObject({ status: 'closed', closedReason: CLOSED }),
    );
    const closed = await task(taskId);
    expect(Date.parse(closed['closedAt'] as string)).not.toBeNaN();
    expect(closed['decision']).toBeNull();
    expect(await listed('open')).not.toContain(taskId);
    expect(await listed('closed')).toContain(taskId);

    const approved = await esc.api('POST', `/v1/tasks/${taskId}/approve`, KEYS.reviewer, {});
    expect(approved.status).toBe(409);
    expect(approved.body).toMatchObject({ error: 'task-not-open' });
    expect(approved.body['message']).toContain(CLOSED);
    const rejected = await esc.api('POST', `/v1/tasks/${taskId}/reject`, KEYS.reviewer, {
      reason: 'no',
    });
    expect(rejected.status).toBe(409);

    // Another run's task stays open, and can still be decided.
    expect(await task(otherId)).toMatchObject({ status: 'open', closedReason: null });
    const other = await esc.api('POST', `/v1/tasks/${otherId}/approve`, KEYS.reviewer, {});
    expect(other.status).toBe(200);
    await expectEventually(() => expect(esc.decisionsOf(untouched.runId)).toHaveLength(1));
    // Nothing resumed the cancelled run.
    expect(esc.decisionsOf(envelope.runId)).toEqual([]);
    expect(esc.eventsOf(envelope.runId, 'run.resumed')).toEqual([]);
  });

  it('keeps a decided task as decided, and the first end of a run as its reason', async () => {
    const envelope = await esc.escalate();
    const decidedId = await esc.taskIdOf(envelope);
    expect(
      (await esc.api('POST', `/v1/tasks/${decidedId}/approve`, KEYS.reviewer, {})).status,
    ).toBe(200);
    const later = nextStep(envelope, { name: 'escalate', kind: 'escalation' }, envelope.payload);
    await esc.publish(later);
    const openId = await esc.taskIdOf(later);

    await cancel(envelope);
    await esc.publishRunEvent(
      runEventFor(envelope, { type: 'run.ended', status: 'failed', reason: 'late' }),
    );
    await expectEventually(async () =>
      expect(await task(openId)).toMatchObject({ status: 'closed', closedReason: CLOSED }),
    );
    expect(await task(decidedId)).toMatchObject({ status: 'approved', closedReason: null });
  });

  it('makes a closed task, and no run.waiting, for an escalation that arrives after its run ended', async () => {
    const envelope = await esc.escalate();
    const firstId = await esc.taskIdOf(envelope);
    await cancel(envelope);
    await expectEventually(async () =>
      expect(await task(firstId)).toMatchObject({ status: 'closed' }),
    );

    const late = nextStep(envelope, { name: 'escalate', kind: 'escalation' }, envelope.payload);
    await esc.publish(late);
    const finished = await expectEventually(() => {
      const found = esc
        .eventsOf(late.runId, 'step.finished')
        .find((e) => e.step?.envelopeId === late.envelopeId);
      expect(found).toBeDefined();
      return found!.step!;
    });
    expect(finished).toMatchObject({
      outcome: 'run-ended',
      output: { status: 'cancelled', closedReason: CLOSED },
    });
    const lateId = finished.output!['taskId'] as string;
    expect(await task(lateId)).toMatchObject({ status: 'closed', closedReason: CLOSED });
    expect(esc.eventsOf(late.runId, 'run.waiting')).toHaveLength(1); // the first escalation's
    expect((await esc.api('POST', `/v1/tasks/${lateId}/approve`, KEYS.reviewer, {})).status).toBe(
      409,
    );
    expect(esc.decisionsOf(late.runId)).toEqual([]);
  });
});
