import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { WORKFLOWS } from '@baton/service-kit';
import { expectEventually } from '@baton/testing';
import { parseWorkflow, type WorkflowCatalog } from '@baton/workflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEYS, startEscalation, type EscalationFixture } from './testing/escalation.fixture.js';
import { EscalateOverdueTasksUseCase } from './use-cases/escalate-overdue-tasks/escalate-overdue-tasks.use-case.js';

const billing = parse(
  readFileSync(
    new URL('../../../workflows/billing-dispute/workflow.yaml', import.meta.url),
    'utf8',
  ),
) as Record<string, unknown>;

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
}

/** A webhook receiver on loopback: `/ok/…` answers 204, `/fail/…` 500; it keeps every request. */
async function startReceiver(): Promise<{ url: string; received: Received[]; server: Server }> {
  const received: Received[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({
        path: request.url ?? '',
        headers: request.headers,
        body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>,
      });
      response.statusCode = request.url?.startsWith('/fail') ? 500 : 204;
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, received, server };
}

type Task = Record<string, unknown> & {
  queue: string;
  status: string;
  moves: Array<Record<string, unknown>>;
  notifications: Array<Record<string, unknown>>;
};

describe('escalation service: escalation chains (in-process transport, real Postgres)', () => {
  let esc: EscalationFixture;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let version = 100;

  beforeAll(async () => {
    receiver = await startReceiver();
    esc = await startEscalation({
      env: {
        BATON_NOTIFY_ALLOWED_HOSTS: '127.0.0.1',
        BATON_NOTIFY_ATTEMPTS: '2',
        // The tests sweep themselves, at the times they set.
        BATON_SLA_SWEEP_INTERVAL_MS: '3600000',
      },
    });
  });
  afterAll(async () => {
    await esc?.close();
    await new Promise((resolve) => receiver?.server.close(resolve));
  });

  /** A new version of billing-dispute with this escalation block, known to the service. */
  const withEscalation = (escalation: Record<string, unknown>) => {
    version += 1;
    const loaded = parseWorkflow(JSON.stringify({ ...billing, version, escalation }), {
      format: 'json',
    });
    if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
    esc.service.app
      .get<symbol, WorkflowCatalog>(WORKFLOWS)
      .add({ workflow: loaded.workflow, document: loaded.document, source: 'bundled' });
    return { id: 'billing-dispute', version };
  };
  /** A chain that moves a task twice: billing (10 min) → leads (20 min) → managers (30 min). */
  const twoMoves = (notify?: Record<string, unknown>) => ({
    queue: 'billing',
    slaMinutes: 10,
    onBreach: [
      { moveTo: 'billing-leads', slaMinutes: 20, ...(notify ? { notify } : {}) },
      { moveTo: 'finance-managers', slaMinutes: 30 },
    ],
  });
  const sweep = () => esc.service.app.get(EscalateOverdueTasksUseCase).execute();
  /** Sweeps with the service's clock `minutes` after the test began. */
  const sweepAt = async (minutes: number) => {
    esc.clock.offsetMs = minutes * 60_000;
    return sweep();
  };
  const task = async (taskId: string) =>
    (await esc.api('GET', `/v1/tasks/${taskId}`, KEYS.reviewer)).body as Task;
  const receivedFor = (taskId: string) =>
    receiver.received.filter((request) => request.body['taskId'] === taskId);
  const start = async (workflow: { id: string; version: number }) => {
    esc.clock.offsetMs = 0;
    const envelope = await esc.escalate({ workflow });
    return { envelope, taskId: await esc.taskIdOf(envelope) };
  };

  it('moves a task twice (a new SLA each time, recorded, the run told, the webhook called), then rejects it as the system', async () => {
    const workflow = withEscalation({
      ...twoMoves({ webhook: `${receiver.url}/ok/leads` }),
      fallback: { action: 'reject', reason: 'Nobody decided in time.' },
    });
    const { envelope, taskId } = await start(workflow);
    try {
      // A claim ends when the task moves on to other people.
      expect((await esc.api('POST', `/v1/tasks/${taskId}/claim`, KEYS.reviewer)).status).toBe(200);

      expect((await sweepAt(9)).map((t) => t.id)).not.toContain(taskId);
      expect(await task(taskId)).toMatchObject({ queue: 'billing', moves: [], overdue: false });

      const first = await sweepAt(11);
      expect(first.find((t) => t.id === taskId)).toMatchObject({ queue: 'billing-leads' });
      const moved = await task(taskId);
      const movedAt = moved.moves[0]!['at'] as string;
      expect(moved).toMatchObject({
        queue: 'billing-leads',
        status: 'open',
        overdue: false,
        claimedBy: null,
        slaDueAt: new Date(Date.parse(movedAt) + 20 * 60_000).toISOString(),
        moves: [
          {
            step: 1,
            from: 'billing',
            to: 'billing-leads',
            why: expect.stringMatching(/^SLA of 10 min in queue billing passed \(due .+\)$/),
            slaDueAt: new Date(Date.parse(movedAt) + 20 * 60_000).toISOString(),
            releasedClaimOf: 'reviewer-user',
          },
        ],
        notifications: [
          {
            step: 1,
            host: '127.0.0.1',
            status: 'delivered',
            attempts: 1,
            httpStatus: 204,
            error: null,
          },
        ],
      });
      // The webhook got ids, the workflow, the queue, why and the due time, nothing of the case.
      const [call] = receivedFor(taskId);
      expect(receivedFor(taskId)).toHaveLength(1);
      expect(call!.path).toBe('/ok/leads');
      expect(call!.headers['content-type']).toBe('application/json');
      expect(call!.body).toEqual({
        type: 'baton.task.escalated',
        notificationId: moved.notifications[0]!['id'],
        taskId,
        runId: envelope.runId,
        workflow,
        tenantId: 'acme',
        queue: 'billing-leads',
        previousQueue: 'billing',
        step: 1,
        reason: moved.moves[0]!['why'],
        slaDueAt: moved['slaDueAt'],
        at: movedAt,
      });
      expect(call!.headers['x-baton-notification-id']).toBe(call!.body['notificationId']);
      expect(JSON.stringify(call!.body)).not.toMatch(/charged twice|cus_1001|inv_2001/);
      await expectEventually(() =>
        expect(esc.eventsOf(envelope.runId, 'run.waiting').map((e) => e.reason)).toEqual([
          'credits above 100 need a reviewer',
          expect.stringMatching(
            new RegExp(
              `^SLA breached: review task ${taskId}: SLA of 10 min in queue billing passed .*; escalation step 1 of 2: moved to queue billing-leads, due .*; notifying 127\\.0\\.0\\.1$`,
            ),
          ),
        ]),
      );
      const listed = await esc.api('GET', '/v1/tasks?queue=billing-leads&limit=200', KEYS.reviewer);
      expect((listed.body['items'] as Array<{ id: string }>).map((t) => t.id)).toContain(taskId);

      // Once per breach: another sweep before the new SLA changes nothing, calls nobody.
      await sweepAt(11 + 19);
      expect((await task(taskId)).moves).toHaveLength(1);
      expect(receivedFor(taskId)).toHaveLength(1);

      await sweepAt(11 + 21);
      expect(await task(taskId)).toMatchObject({
        queue: 'finance-managers',
        moves: [
          { step: 1, to: 'billing-leads' },
          {
            step: 2,
            from: 'billing-leads',
            to: 'finance-managers',
            why: expect.stringMatching(/^SLA of 20 min in queue billing-leads passed/),
          },
        ],
      });
      expect(receivedFor(taskId)).toHaveLength(1); // the second step notifies nobody
      expect(esc.decisionsOf(envelope.runId)).toEqual([]);

      // Past the last SLA: the fallback rejects, as the system, and the run resumes to end.
      await sweepAt(11 + 21 + 31);
      const rejected = await task(taskId);
      expect(rejected).toMatchObject({
        status: 'rejected',
        queue: 'finance-managers',
        decision: {
          outcome: 'rejected',
          reviewer: { name: 'sla-fallback', role: 'system' },
          reason: 'Nobody decided in time.',
          note: expect.stringMatching(/^SLA of 30 min in queue finance-managers passed/),
        },
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
        output: {
          reviewer: { name: 'sla-fallback', role: 'system' },
          reason: 'Nobody decided in time.',
        },
      });
      await expectEventually(() =>
        expect(esc.eventsOf(envelope.runId, 'run.resumed')).toEqual([
          expect.objectContaining({ reason: 'review-rejected by sla-fallback' }),
        ]),
      );
      // A reviewer comes too late.
      const late = await esc.api('POST', `/v1/tasks/${taskId}/approve`, KEYS.reviewer, {});
      expect(late).toMatchObject({ status: 409, body: { error: 'task-not-open' } });
    } finally {
      esc.clock.offsetMs = 0;
    }
  });

  it('moves a task twice, then cancels the run: run.ended cancelled, the task closed', async () => {
    const workflow = withEscalation({
      ...twoMoves(),
      fallback: { action: 'cancel', reason: 'Disputes nobody answers are dropped.' },
    });
    const { envelope, taskId } = await start(workflow);
    try {
      await sweepAt(11);
      await sweepAt(11 + 21);
      expect(await task(taskId)).toMatchObject({
        status: 'open',
        queue: 'finance-managers',
        moves: [{ step: 1 }, { step: 2 }],
      });
      await sweepAt(11 + 21 + 31);
      const reason = 'cancelled by sla-fallback: Disputes nobody answers are dropped.';
      expect(await task(taskId)).toMatchObject({
        status: 'closed',
        closedReason: `run ended: cancelled: ${reason}`,
        decision: null,
      });
      await expectEventually(() =>
        expect(esc.eventsOf(envelope.runId, 'run.ended')).toEqual([
          expect.objectContaining({
            status: 'cancelled',
            reason,
            workflow,
            tenantId: 'acme',
          }),
        ]),
      );
      expect(esc.decisionsOf(envelope.runId)).toEqual([]);
      expect(await sweepAt(11 + 21 + 31 + 60)).not.toContainEqual(
        expect.objectContaining({ id: taskId }),
      );
      expect(esc.eventsOf(envelope.runId, 'run.ended')).toHaveLength(1);
    } finally {
      esc.clock.offsetMs = 0;
    }
  });

  it('moves a task twice, then leaves it in a named queue with no further SLA', async () => {
    const workflow = withEscalation({
      ...twoMoves(),
      fallback: { action: 'leave', queue: 'ops-backlog' },
    });
    const { envelope, taskId } = await start(workflow);
    try {
      await sweepAt(11);
      await sweepAt(11 + 21);
      await sweepAt(11 + 21 + 31);
      const left = await task(taskId);
      expect(left).toMatchObject({
        status: 'open',
        queue: 'ops-backlog',
        slaDueAt: null,
        overdue: false,
        moves: [
          { step: 1, to: 'billing-leads' },
          { step: 2, to: 'finance-managers' },
          { step: 'fallback', from: 'finance-managers', to: 'ops-backlog', slaDueAt: null },
        ],
      });
      await expectEventually(() =>
        expect(esc.eventsOf(envelope.runId, 'run.waiting').at(-1)?.reason).toMatch(
          /; the escalation chain ended: left in queue ops-backlog with no further SLA$/,
        ),
      );
      // Nothing more happens to it, however late; a reviewer can still decide it.
      await sweepAt(60 * 24 * 30);
      expect((await task(taskId)).moves).toHaveLength(3);
      esc.clock.offsetMs = 0;
      const approved = await esc.api('POST', `/v1/tasks/${taskId}/approve`, KEYS.reviewer, {});
      expect(approved.status).toBe(200);
    } finally {
      esc.clock.offsetMs = 0;
    }
  });

  it('marks a task of a workflow without a chain overdue once, and leaves it where it is', async () => {
    const workflow = withEscalation({ queue: 'billing', slaMinutes: 10 });
    const { envelope, taskId } = await start(workflow);
    try {
      const marked = await sweepAt(11);
      expect(marked.find((t) => t.id === taskId)).toMatchObject({
        queue: 'billing',
        overdue: true,
        escalatedAt: expect.any(String),
      });
      expect((await sweepAt(12)).map((t) => t.id)).not.toContain(taskId);
      expect(await task(taskId)).toMatchObject({ queue: 'billing', status: 'open', moves: [] });
      await expectEventually(() =>
        expect(esc.eventsOf(envelope.runId, 'run.waiting').map((e) => e.reason)).toEqual([
          'credits above 100 need a reviewer',
          expect.stringMatching(
            /in queue billing passed .*; the workflow declares no further escalation: it stays there, overdue$/,
          ),
        ]),
      );
    } finally {
      esc.clock.offsetMs = 0;
    }
  });

  it('moves the task even when its webhook fails (tried again, then recorded) or its host is not allowed', async () => {
    const workflow = withEscalation({
      queue: 'billing',
      slaMinutes: 10,
      onBreach: [
        { moveTo: 'billing-leads', slaMinutes: 20, notify: { webhook: `${receiver.url}/fail/x` } },
        {
          moveTo: 'finance-managers',
          slaMinutes: 30,
          notify: { webhook: 'https://hooks.acme.example/escalations' },
        },
      ],
    });
    const { taskId } = await start(workflow);
    try {
      await sweepAt(11);
      expect(await task(taskId)).toMatchObject({
        queue: 'billing-leads',
        moves: [{ step: 1, to: 'billing-leads' }],
        notifications: [
          {
            step: 1,
            host: '127.0.0.1',
            status: 'failed',
            attempts: 2, // BATON_NOTIFY_ATTEMPTS
            httpStatus: 500,
            error: 'HTTP 500',
            finishedAt: expect.any(String),
          },
        ],
      });
      expect(receivedFor(taskId)).toHaveLength(2);

      await sweepAt(11 + 21);
      expect(await task(taskId)).toMatchObject({
        queue: 'finance-managers',
        notifications: [
          { step: 1, status: 'failed' },
          {
            step: 2,
            host: 'hooks.acme.example',
            status: 'refused',
            attempts: 0,
            error: 'not sent: host hooks.acme.example is not in BATON_NOTIFY_ALLOWED_HOSTS',
          },
        ],
      });
      expect(receivedFor(taskId)).toHaveLength(2);
    } finally {
      esc.clock.offsetMs = 0;
    }
  });

  it('applies each breach once when two sweeps run at once', async () => {
    const workflow = withEscalation({
      queue: 'billing',
      slaMinutes: 10,
      onBreach: [
        { moveTo: 'billing-leads', slaMinutes: 20, notify: { webhook: `${receiver.url}/ok/race` } },
      ],
    });
    const started = await Promise.all(Array.from({ length: 12 }, () => start(workflow)));
    const ids = started.map((s) => s.taskId);
    try {
      esc.clock.offsetMs = 11 * 60_000;
      const [a, b] = await Promise.all([sweep(), sweep()]);
      const ours = (list: Array<{ id: string }>) =>
        list.map((t) => t.id).filter((id) => ids.includes(id));
      // Every task moved by exactly one of the two sweeps.
      expect([...ours(a), ...ours(b)].sort()).toEqual([...ids].sort());
      for (const { envelope, taskId } of started) {
        expect(await task(taskId)).toMatchObject({
          queue: 'billing-leads',
          moves: [{ step: 1 }],
          notifications: [{ status: 'delivered', attempts: 1 }],
        });
        expect(receivedFor(taskId)).toHaveLength(1);
        await expectEventually(() =>
          expect(esc.eventsOf(envelope.runId, 'run.waiting')).toHaveLength(2),
        );
      }
      expect(ours(await sweep())).toEqual([]);
    } finally {
      esc.clock.offsetMs = 0;
    }
  });
});
