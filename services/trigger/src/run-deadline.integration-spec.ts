import { runEventFor, uuidv7, type RunEvent } from '@baton/contracts';
import { startService, type StartedService } from '@baton/service-kit/testing';
import { expectEventually, testApiKeysSetting } from '@baton/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestClock, triggerServiceOn } from './testing/clock.fixture.js';
import { aTriggerEvent, postTrigger } from './testing/trigger-event.fixture.js';
import {
  ExpireRunsUseCase,
  UNKNOWN_WORKFLOW_DEADLINE_MINUTES,
  deadlineReason,
  type ExpiredRun,
} from './use-cases/expire-runs/expire-runs.use-case.js';

const MINUTE = 60_000;
// billing-dispute (bundled) has `limits.deadlineMinutes: 60`; the grace is 5 minutes.
const DEADLINE = 60;
const GRACE = 5;

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
  const ids: Record<'left' | 'waiting' | 'completed' | 'resumed' | 'unknown', string> = {
    left: '',
    waiting: '',
    completed: '',
    resumed: '',
    unknown: '',
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
    await expectEventually(async () => {
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
    const reason = deadlineReason(DEADLINE);
    expect(reason).toBe(
      'deadline of 60 minutes passed while the run was still running: a step never finished (see the dead-letter topics)',
    );
    expect(expired).toEqual([
      {
        runId: ids.left,
        workflow: { id: 'billing-dispute', version: 1 },
        deadlineMinutes: DEADLINE,
        reason,
      },
    ]);
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

  it('counts the time a run waited for a reviewer out of its deadline', async () => {
    expect(await sweepOnBoth(DEADLINE + GRACE + 29)).toEqual([]);
    const expired = await sweepOnBoth(DEADLINE + GRACE + 31);
    expect(expired.map((e) => e.runId)).toEqual([ids.resumed]);
    expect(await run(ids.resumed)).toMatchObject({
      status: 'failed',
      reason: deadlineReason(DEADLINE),
    });
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
        reason: deadlineReason(UNKNOWN_WORKFLOW_DEADLINE_MINUTES),
      },
    ]);
    // A day later, the run waiting for a reviewer and the completed one are still untouched.
    expect((await run(ids.waiting)).status).toBe('waiting-for-review');
    expect((await run(ids.completed)).status).toBe('completed');
  });
});
