import { runEventFor, uuidv7, type RunEvent } from '@baton/contracts';
import { startService, type StartedService } from '@baton/service-kit/testing';
import { expectEventually, testApiKeysSetting } from '@baton/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestClock, triggerServiceOn } from './testing/clock.fixture.js';
import { aTriggerEvent, postTrigger } from './testing/trigger-event.fixture.js';
import { deadlineReason } from './use-cases/expire-runs/deadline-reason.js';
import {
  ExpireRunsUseCase,
  UNKNOWN_WORKFLOW_DEADLINE_MINUTES,
  type ExpiredRun,
} from './use-cases/expire-runs/expire-runs.use-case.js';

const MINUTE = 60_000;
// billing-dispute (bundled) has `limits.deadlineMinutes: 60`; the grace is 5 minutes.
const DEADLINE = 60;
const GRACE = 5;
const DECIDE_DEAD_LETTERED = {
  name: 'decide',
  kind: 'decision',
  seq: 1,
  outcome: 'dead-lettered',
} as const;
const DEAD_LETTER = {
  topic: 'baton.step.decision.dlq',
  reason: 'handler-failed',
  error: 'QueryFailedError',
};

interface RunRow {
  id: string;
  status: string;
  reason: string | null;
  created_at: Date;
  ended_at: Date | null;
  waited_ms: string;
}

describe('runs past their deadline across two trigger instances', () => {
  const clock = new TestClock(new Date());
  // Both instances read this clock.
  const definition = triggerServiceOn(clock);
  const settings = {
    LOG_LEVEL: process.env['LOG_LEVEL'] ?? 'error',
    BATON_API_KEYS: testApiKeysSetting(),
    BATON_RUN_DEADLINE_GRACE_MINUTES: String(GRACE),
    // The timer would sweep on the same clock, but the test sweeps itself to know which call ended what.
    BATON_RUN_SWEEP_MS: '3600000',
  };
  let first: StartedService;
  let second: StartedService;
  let runEvents: () => RunEvent[];
  const ids: Record<
    'left' | 'waiting' | 'completed' | 'resumed' | 'unknown' | 'slow' | 'lost' | 'deadLettered',
    string
  > = {
    left: '',
    waiting: '',
    completed: '',
    resumed: '',
    unknown: '',
    slow: '',
    lost: '',
    deadLettered: '',
  };
  /** The latest `created_at` of the runs: clock times are counted from it. */
  let base = 0;

  const run = async (id: string): Promise<RunRow> => {
    const rows: RunRow[] = await first.dataSource.query(
      'SELECT id, status, reason, created_at, ended_at, waited_ms FROM runs WHERE id = $1',
      [id],
    );
    return rows[0]!;
  };
  const start = async (key: string): Promise<string> => {
    const response = await postTrigger(first.running.url, aTriggerEvent(key));
    expect(response.status).toBe(202);
    return ((await response.json()) as { runId: string }).runId;
  };
  const publishEvent = (runId: string, event: Parameters<typeof runEventFor>[1], at: Date) =>
    first.publish(
      first.names.runEvents,
      runEventFor(
        { runId, workflow: { id: 'billing-dispute', version: 1 }, tenantId: 'acme' },
        event,
        at,
      ),
    );
  /** A `step.finished` of the run, as a step service reports it, finished at `at`. */
  const stepFinished = (
    runId: string,
    step: { name: string; kind: 'context' | 'decision'; seq: number; outcome: string },
    at: Date,
    report: { envelopeId?: string; output?: Record<string, unknown> } = {},
  ) =>
    publishEvent(
      runId,
      {
        type: 'step.finished',
        step: {
          ...step,
          attempt: 1,
          envelopeId: report.envelopeId ?? uuidv7(),
          startedAt: new Date(at.getTime() - 1_000).toISOString(),
          finishedAt: at.toISOString(),
          ...(report.output ? { output: report.output } : {}),
        },
      },
      at,
    );
  /** The run's deadline as the sweeper counts it: created + deadline + time waiting for review. */
  const deadlineOf = async (id: string, minutes = DEADLINE) => {
    const row = await run(id);
    return new Date(row.created_at.getTime() + minutes * MINUTE + Number(row.waited_ms));
  };
  /** Four concurrent sweeps, two per instance, at `base + minutes`. */
  const sweepOnBoth = async (minutes: number): Promise<ExpiredRun[]> => {
    clock.time = new Date(base + minutes * MINUTE);
    const instances = [first, second, first, second].map((s) =>
      s.running.app.get(ExpireRunsUseCase),
    );
    return (await Promise.all(instances.map((useCase) => useCase.execute()))).flat();
  };
  /** The run's `run.ended` events, after a (harmless) marker sent behind them on its partition arrived. */
  const endedEventsOf = async (runId: string) => {
    const marker = runEventFor(
      { runId, workflow: { id: 'billing-dispute', version: 1 }, tenantId: 'acme' },
      { type: 'run.started' },
    );
    await first.publish(first.names.runEvents, marker);
    await expectEventually(() =>
      expect(runEvents().map((e) => e.eventId)).toContain(marker.eventId),
    );
    return runEvents().filter((e) => e.runId === runId && e.type === 'run.ended');
  };

  beforeAll(async () => {
    first = await startService(definition, { env: settings });
    // The same topics and the same schema: both instances see the same runs.
    second = await startService(definition, {
      env: {
        ...settings,
        BATON_TOPIC_PREFIX: first.names.triggerIngress.slice(0, -'trigger.ingress'.length),
        BATON_SCHEMA_PREFIX: first.schema.slice(0, -'trigger'.length),
      },
    });
    runEvents = await first.watch<RunEvent>(first.names.runEvents);

    ids.left = await start('left-running');
    ids.waiting = await start('waiting-for-review');
    ids.completed = await start('completed');
    ids.resumed = await start('resumed-after-review');
    ids.slow = await start('slow-step');
    ids.lost = await start('lost-step');
    ids.deadLettered = await start('dead-lettered-step');
    // A run of a version this catalog does not hold (published elsewhere, or since removed).
    ids.unknown = uuidv7();
    await first.dataSource.query(
      `INSERT INTO runs (id, tenant_id, idempotency_key, workflow_id, workflow_version, event_type, status, trigger)
       VALUES ($1, 'acme', 'unknown-version', 'billing-dispute', 99, 'support.ticket.created', 'running', '{}')`,
      [ids.unknown],
    );
    const created = await Promise.all(Object.values(ids).map(async (id) => run(id)));
    base = Math.max(...created.map((r) => r.created_at.getTime()));

    // One run waits for a reviewer; one is completed; one waited 30 minutes for a reviewer and resumed.
    await publishEvent(
      ids.waiting,
      { type: 'run.waiting', reason: 'approval' },
      new Date(base + MINUTE),
    );
    await publishEvent(
      ids.completed,
      { type: 'run.ended', status: 'completed', reason: 'credit issued' },
      new Date(base + 2 * MINUTE),
    );
    await publishEvent(
      ids.resumed,
      { type: 'run.waiting', reason: 'approval' },
      new Date(base + 10 * MINUTE),
    );
    await publishEvent(ids.resumed, { type: 'run.resumed' }, new Date(base + 40 * MINUTE));
    // One run's context finished two minutes in, then nothing: still running or waiting. The
    // other's decision finished past the deadline, then nothing: the next step never started.
    // A third's decision was dead-lettered (as reportDeadLetteredSteps reports it): lost.
    const gathered = {
      name: 'gather-context',
      kind: 'context',
      seq: 0,
      outcome: 'gathered',
    } as const;
    await stepFinished(ids.slow, gathered, new Date(base + 2 * MINUTE));
    await stepFinished(ids.lost, gathered, new Date(base + 3 * MINUTE));
    await stepFinished(
      ids.lost,
      { name: 'decide', kind: 'decision', seq: 1, outcome: 'act' },
      new Date(base + (DEADLINE + 1) * MINUTE),
    );
    await stepFinished(ids.deadLettered, gathered, new Date(base + 2 * MINUTE));
    await stepFinished(ids.deadLettered, DECIDE_DEAD_LETTERED, new Date(base + 5 * MINUTE), {
      output: { deadLetter: DEAD_LETTER },
    });
    await expectEventually(async () => {
      const steps: unknown[] = await first.dataSource.query(
        'SELECT 1 FROM run_steps WHERE run_id IN ($1, $2, $3)',
        [ids.slow, ids.lost, ids.deadLettered],
      );
      expect(steps).toHaveLength(5);
      expect((await run(ids.waiting)).status).toBe('waiting-for-review');
      expect((await run(ids.completed)).status).toBe('completed');
      expect(await run(ids.resumed)).toMatchObject({ status: 'running', waited_ms: '1800000' });
    });
  });
  afterAll(async () => {
    // The second instance's own (unused) schema name is dropped by its close; the shared one by the first's.
    await second?.close();
    await first?.close();
  });

  it('ends nothing while every run is within its deadline plus the grace', async () => {
    expect(await sweepOnBoth(DEADLINE + GRACE - 1)).toEqual([]);
    expect((await run(ids.left)).status).toBe('running');
  });

  it('ends a run left running past its deadline as failed, once across both instances, with run.ended', async () => {
    const at = DEADLINE + GRACE + 1;
    const expired = await sweepOnBoth(at);
    const left = await run(ids.left);
    const reason = deadlineReason({
      deadlineMinutes: DEADLINE,
      deadline: await deadlineOf(ids.left),
      by: 'started',
      at: left.created_at,
    });
    expect(reason).toBe(
      `deadline of 60 minutes passed while the run was still running: its first step is still running or waiting for its service (none was dead-lettered): nothing reported since the run started at ${left.created_at.toISOString()}, 60 minutes before the deadline`,
    );
    expect(expired.find((e) => e.runId === ids.left)).toEqual({
      runId: ids.left,
      workflow: { id: 'billing-dispute', version: 1 },
      deadlineMinutes: DEADLINE,
      reason,
    });
    expect(expired.map((e) => e.runId).sort()).toEqual(
      [ids.left, ids.slow, ids.lost, ids.deadLettered].sort(),
    );
    expect(await run(ids.left)).toMatchObject({
      status: 'failed',
      reason,
      ended_at: new Date(base + at * MINUTE),
    });
    // A sweep after it finds nothing more to end.
    expect(await sweepOnBoth(at)).toEqual([]);

    const ended = await endedEventsOf(ids.left);
    expect(ended).toHaveLength(1);
    expect(ended[0]).toMatchObject({
      type: 'run.ended',
      status: 'failed',
      reason,
      tenantId: 'acme',
      workflow: { id: 'billing-dispute', version: 1 },
      createdAt: new Date(base + at * MINUTE).toISOString(),
    });

    // Waiting for a reviewer, completed, and still within its deadline (its wait not counted): untouched.
    expect(await run(ids.waiting)).toMatchObject({ status: 'waiting-for-review', ended_at: null });
    expect(await run(ids.completed)).toMatchObject({
      status: 'completed',
      reason: 'credit issued',
    });
    expect(await run(ids.resumed)).toMatchObject({ status: 'running', ended_at: null });
    expect(await endedEventsOf(ids.resumed)).toEqual([]);
  });

  it('says which step handed the run on, and when: before the deadline, still running or waiting', async () => {
    const slow = await run(ids.slow);
    const before = Math.floor(
      ((await deadlineOf(ids.slow)).getTime() - (base + 2 * MINUTE)) / MINUTE,
    );
    expect(slow).toMatchObject({
      status: 'failed',
      reason: `deadline of 60 minutes passed while the run was still running: its next step is still running or waiting for its service (none was dead-lettered): nothing reported since gather-context (context, seq 0) finished at ${new Date(base + 2 * MINUTE).toISOString()}, ${before} minutes before the deadline`,
    });
    expect((await endedEventsOf(ids.slow))[0]?.reason).toBe(slow.reason);
  });

  it('says the next step never started when the last one handed the run on past the deadline', async () => {
    const lost = await run(ids.lost);
    expect(lost).toMatchObject({
      status: 'failed',
      reason: `deadline of 60 minutes passed while the run was still running: its next step has not started: decide (decision, seq 1) finished at ${new Date(base + (DEADLINE + 1) * MINUTE).toISOString()}, after the deadline, and a step that starts past the deadline ends the run itself; none was dead-lettered, so that step's service is down or far behind`,
    });
    expect((await endedEventsOf(ids.lost))[0]?.reason).toBe(lost.reason);
  });

  it('says a step was lost when it was reported dead-lettered, naming its topic and why', async () => {
    const lost = await run(ids.deadLettered);
    expect(lost).toMatchObject({
      status: 'failed',
      reason: `deadline of 60 minutes passed while the run was still running: its step decide (decision, seq 1) was lost: dead-lettered to baton.step.decision.dlq at ${new Date(base + 5 * MINUTE).toISOString()} (handler-failed, QueryFailedError); replay it from there once the cause is fixed`,
    });
    expect((await endedEventsOf(ids.deadLettered))[0]?.reason).toBe(lost.reason);
  });

  it('counts the time a run waited for a reviewer out of its deadline', async () => {
    expect(await sweepOnBoth(DEADLINE + GRACE + 29)).toEqual([]);
    const expired = await sweepOnBoth(DEADLINE + GRACE + 31);
    expect(expired.map((e) => e.runId)).toEqual([ids.resumed]);
    // The review resumed it 40 minutes in; its deadline moved 30 minutes (the wait) later.
    const resumedAt = new Date(base + 40 * MINUTE);
    expect(await run(ids.resumed)).toMatchObject({
      status: 'failed',
      reason: deadlineReason({
        deadlineMinutes: DEADLINE,
        deadline: await deadlineOf(ids.resumed),
        by: 'resumed',
        at: resumedAt,
      }),
    });
    expect((await run(ids.resumed)).reason).toContain(
      `nothing reported since a reviewer's verdict resumed the run at ${resumedAt.toISOString()}`,
    );
    expect(await endedEventsOf(ids.resumed)).toHaveLength(1);
  });

  it('gives a run of a workflow version the catalog does not hold the default deadline', async () => {
    expect(await sweepOnBoth(UNKNOWN_WORKFLOW_DEADLINE_MINUTES + GRACE - 1)).toEqual([]);
    const expired = await sweepOnBoth(UNKNOWN_WORKFLOW_DEADLINE_MINUTES + GRACE + 1);
    expect(expired).toEqual([
      {
        runId: ids.unknown,
        workflow: { id: 'billing-dispute', version: 99 },
        deadlineMinutes: UNKNOWN_WORKFLOW_DEADLINE_MINUTES,
        reason: deadlineReason({
          deadlineMinutes: UNKNOWN_WORKFLOW_DEADLINE_MINUTES,
          deadline: await deadlineOf(ids.unknown, UNKNOWN_WORKFLOW_DEADLINE_MINUTES),
          by: 'started',
          at: (await run(ids.unknown)).created_at,
        }),
      },
    ]);
    // A day later, the run waiting for a reviewer and the completed one are still untouched.
    expect((await run(ids.waiting)).status).toBe('waiting-for-review');
    expect((await run(ids.completed)).status).toBe('completed');
  });
});
