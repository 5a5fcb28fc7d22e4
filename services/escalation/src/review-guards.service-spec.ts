import { expectEventually } from '@baton/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEYS, startEscalation, type EscalationFixture } from './testing/escalation.fixture.js';
import { EscalateOverdueTasksUseCase } from './use-cases/escalate-overdue-tasks/escalate-overdue-tasks.use-case.js';

const REASON = 'credits above 100 need a reviewer';

describe('escalation service: guards and SLA (in-process transport, real Postgres)', () => {
  let esc: EscalationFixture;
  beforeAll(async () => {
    esc = await startEscalation();
  });
  afterAll(async () => {
    await esc?.close();
  });

  it('decides a task once: a concurrent or later second decision is 409 and emits nothing', async () => {
    const envelope = await esc.escalate();
    const taskId = await esc.taskIdOf(envelope);
    const approve = () => esc.api('POST', `/v1/tasks/${taskId}/approve`, KEYS.reviewer, {});
    const both = await Promise.all([approve(), approve(), approve()]);
    expect(both.map((r) => r.status).sort()).toEqual([200, 409, 409]);
    const loser = both.find((r) => r.status === 409)!;
    expect(loser.body).toMatchObject({ error: 'task-not-open' });
    const late = await esc.api('POST', `/v1/tasks/${taskId}/reject`, KEYS.reviewer, {
      reason: 'no',
    });
    expect(late.status).toBe(409);

    await expectEventually(() => expect(esc.decisionsOf(envelope.runId)).toHaveLength(1));
    await expectEventually(() =>
      expect(esc.eventsOf(envelope.runId, 'run.resumed')).toHaveLength(1),
    );
    // The losers' transactions rolled back, outbox rows included: nothing is left to publish.
    const { dataSource } = esc;
    await expectEventually(async () =>
      expect(await dataSource.query('SELECT id FROM outbox')).toEqual([]),
    );
    expect(esc.decisionsOf(envelope.runId)).toHaveLength(1);
  });

  it('needs the action for a task without a proposal, and checks the tool is granted', async () => {
    const envelope = await esc.escalate({ decision: null, reason: 'model output invalid twice' });
    const taskId = await esc.taskIdOf(envelope);
    const path = `/v1/tasks/${taskId}/approve`;
    const bare = await esc.api('POST', path, KEYS.reviewer, { args: { a: 1 } });
    expect(bare).toMatchObject({ status: 400, body: { error: 'tool-required' } });
    const ungranted = await esc.api('POST', path, KEYS.reviewer, {
      tool: 'close-account',
      args: {},
    });
    expect(ungranted).toMatchObject({ status: 422, body: { error: 'tool-not-granted' } });
    const args = { customerId: 'cus_1001', body: 'We need the invoice number.' };
    const ok = await esc.api('POST', path, KEYS.reviewer, { tool: 'draft-reply', args });
    expect(ok.status).toBe(200);
    const [resumed] = await expectEventually(() => {
      const found = esc.decisionsOf(envelope.runId);
      expect(found).toHaveLength(1);
      return found;
    });
    expect(resumed!.payload.state.history.at(-1)).toMatchObject({
      outcome: 'edited',
      output: { decision: { next: 'act', tool: 'draft-reply', args, decidedBy: 'reviewer' } },
    });
  });

  it('asks for an API key (401) and the reviewer or admin role (403 for a publisher)', async () => {
    const envelope = await esc.escalate();
    const taskId = await esc.taskIdOf(envelope);
    expect((await esc.api('GET', '/v1/tasks')).status).toBe(401);
    expect((await esc.api('GET', '/v1/tasks', 'not-a-key')).status).toBe(401);
    expect((await esc.api('POST', `/v1/tasks/${taskId}/approve`, undefined, {})).status).toBe(401);
    expect((await esc.api('GET', '/v1/tasks', KEYS.publisher)).status).toBe(403);
    expect((await esc.api('GET', `/v1/tasks/${taskId}`, KEYS.publisher)).status).toBe(403);
    expect((await esc.api('POST', `/v1/tasks/${taskId}/approve`, KEYS.publisher, {})).status).toBe(
      403,
    );
    expect((await esc.api('GET', '/v1/tasks', KEYS.admin)).status).toBe(200);
    expect((await esc.api('GET', '/health/live')).status).toBe(200);
    expect((await esc.api('GET', `/v1/tasks/${taskId}`, KEYS.reviewer)).body['status']).toBe(
      'open',
    );
  });

  it('answers 404 for an unknown task and pages the list newest first', async () => {
    const unknown = await esc.api(
      'GET',
      '/v1/tasks/0190a000-0000-7000-8000-000000000000',
      KEYS.reviewer,
    );
    expect(unknown).toMatchObject({ status: 404, body: { error: 'task-not-found' } });
    expect((await esc.api('GET', '/v1/tasks/nope', KEYS.reviewer)).status).toBe(404);
    expect((await esc.api('POST', '/v1/tasks/nope/approve', KEYS.reviewer, {})).status).toBe(404);

    const first = await esc.api('GET', '/v1/tasks?limit=2', KEYS.reviewer);
    const page1 = first.body['items'] as Array<{ id: string }>;
    expect(page1).toHaveLength(2);
    expect(page1[0]!.id > page1[1]!.id).toBe(true);
    const cursor = first.body['nextCursor'] as string;
    const second = await esc.api('GET', `/v1/tasks?limit=2&cursor=${cursor}`, KEYS.reviewer);
    const page2 = second.body['items'] as Array<{ id: string }>;
    expect(page2[0]!.id < page1[1]!.id).toBe(true);
  });

  it('applies the first step of the SLA chain to an open task past its SLA, once', async () => {
    const envelope = await esc.escalate();
    const taskId = await esc.taskIdOf(envelope);
    const decided = await esc.escalate();
    const decidedId = await esc.taskIdOf(decided);
    const approve = await esc.api('POST', `/v1/tasks/${decidedId}/approve`, KEYS.reviewer, {});
    expect(approve.status).toBe(200);
    const sweep = esc.service.app.get(EscalateOverdueTasksUseCase);
    try {
      esc.clock.offsetMs = 239 * 60_000;
      expect((await sweep.execute()).map((t) => t.id)).not.toContain(taskId);
      esc.clock.offsetMs = 241 * 60_000; // past billing-dispute's 240-minute SLA
      const escalated = await sweep.execute();
      expect(escalated.map((t) => t.id)).toContain(taskId);
      expect(escalated.map((t) => t.id)).not.toContain(decidedId);
      // billing-dispute's chain: first to billing-leads for 60 minutes, whose webhook host
      // this deployment does not allow (BATON_NOTIFY_ALLOWED_HOSTS is empty here).
      expect(escalated.find((t) => t.id === taskId)).toMatchObject({
        overdue: false,
        status: 'open',
        queue: 'billing-leads',
      });
      expect(await sweep.execute()).toEqual([]); // once per breach

      const task = await esc.api('GET', `/v1/tasks/${taskId}`, KEYS.reviewer);
      expect(task.body).toMatchObject({
        status: 'open',
        queue: 'billing-leads',
        overdue: false,
        moves: [{ step: 1, from: 'billing', to: 'billing-leads' }],
        notifications: [{ step: 1, host: 'hooks.acme.example', status: 'refused', attempts: 0 }],
      });
      expect(task.body['escalatedAt']).toEqual(expect.any(String));
      await expectEventually(() =>
        expect(esc.eventsOf(envelope.runId, 'run.waiting')).toEqual([
          expect.objectContaining({ reason: REASON }),
          expect.objectContaining({
            reason: expect.stringMatching(
              new RegExp(
                `^SLA breached: review task ${taskId}: SLA of 240 min in queue billing passed .*; escalation step 1 of 2: moved to queue billing-leads, due .*; notifying hooks\\.acme\\.example$`,
              ),
            ),
          }),
        ]),
      );
    } finally {
      esc.clock.offsetMs = 0;
    }
  });
});
