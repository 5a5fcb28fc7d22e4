import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { StepEnvelope } from '@baton/contracts';
import { LOGGER } from '@baton/service-kit';
import { startService, type StartedService } from '@baton/service-kit/testing';
import type { Logger } from '@baton/telemetry';
import { expectEventually, testApiKeysSetting, writeWorkflows } from '@baton/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { TestClock, triggerServiceOn } from './testing/clock.fixture.js';
import {
  FireSchedulesUseCase,
  type TickOutcome,
} from './use-cases/fire-schedules/fire-schedules.use-case.js';

type Workflow = Record<string, unknown> & { trigger: Record<string, unknown> };

const weeklyBriefing = parseYaml(
  readFileSync(
    new URL('../../../workflows/weekly-briefing/workflow.yaml', import.meta.url),
    'utf8',
  ),
) as Workflow;
// Every minute in v1, every quarter of a working hour in v2: only the latest version fires.
const quarterHourly = (version: number, schedule: string): Workflow => ({
  ...weeklyBriefing,
  id: 'quarter-hourly',
  version,
  trigger: { ...weeklyBriefing.trigger, schedule },
});
// A schedule without `schedule.tick` among the event types is never fired.
const notTicking: Workflow = {
  ...weeklyBriefing,
  id: 'not-ticking',
  trigger: {
    ...weeklyBriefing.trigger,
    eventTypes: ['support.ticket.created'],
    schedule: '* * * * *',
  },
};

interface RunRow {
  id: string;
  idempotency_key: string;
  tenant_id: string;
  workflow_id: string;
  workflow_version: number;
  event_type: string;
}

const baseSettings = {
  LOG_LEVEL: process.env['LOG_LEVEL'] ?? 'error',
  BATON_API_KEYS: testApiKeysSetting(),
  // The timer would fire on the same clock (and be de-duplicated like the instances are), but
  // the tests call fire-schedules themselves so that they know which call fired what.
  BATON_SCHEDULE_TICK_MS: '3600000',
};

/** Two trigger instances on the same topics and the same schema, both reading `clock`. */
async function twoInstances(
  clock: TestClock,
  workflowsDir: string,
  env: Record<string, string>,
): Promise<[StartedService, StartedService]> {
  const definition = triggerServiceOn(clock);
  const settings = { ...baseSettings, ...env };
  const first = await startService(definition, { workflowsDir, env: settings });
  const second = await startService(definition, {
    env: {
      ...settings,
      BATON_WORKFLOWS_DIR: workflowsDir,
      BATON_TOPIC_PREFIX: first.names.triggerIngress.slice(0, -'trigger.ingress'.length),
      BATON_SCHEMA_PREFIX: first.schema.slice(0, -'trigger'.length),
    },
  });
  return [first, second];
}

/** Four concurrent fire-schedules calls at `at`, two per instance. */
async function fireOnBoth(
  clock: TestClock,
  instances: [StartedService, StartedService],
  at: string,
): Promise<TickOutcome[]> {
  clock.time = new Date(at);
  const [first, second] = instances;
  const useCases = [first, second, first, second].map((s) =>
    s.running.app.get(FireSchedulesUseCase),
  );
  return (await Promise.all(useCases.map((useCase) => useCase.execute()))).flat();
}

const runsOf = (service: StartedService): Promise<RunRow[]> =>
  service.dataSource.query(
    `SELECT id, idempotency_key, tenant_id, workflow_id, workflow_version, event_type
     FROM runs ORDER BY idempotency_key`,
  );

/** `<workflow>@<tick>` of the ticks that started a run, sorted. */
const started = (outcomes: TickOutcome[]) =>
  outcomes
    .filter((o) => o.outcome === 'started')
    .map((o) => `${o.workflowId}@${o.tick}`)
    .sort();

describe('scheduled workflows across two trigger instances', () => {
  // 2026-11-30 is a Monday. The instances start at 07:30: nothing is due yet.
  const clock = new TestClock(new Date('2026-11-30T07:30:00Z'));
  let first: StartedService;
  let second: StartedService;
  let contextSteps: () => Array<StepEnvelope<'context'> | { marker: string }>;

  const fireAt = (at: string) => fireOnBoth(clock, [first, second], at);
  const runs = () => runsOf(first);
  /** Context envelopes of the run, after a marker sent behind them on its partition arrived. */
  const envelopesOf = async (runId: string) => {
    await first.kafka.produce(first.names.steps.context, [
      { key: runId, value: JSON.stringify({ marker: runId }) },
    ]);
    await expectEventually(() => expect(contextSteps()).toContainEqual({ marker: runId }));
    return contextSteps().filter(
      (m): m is StepEnvelope<'context'> => 'runId' in m && m.runId === runId,
    );
  };
  beforeAll(async () => {
    const workflowsDir = writeWorkflows([
      weeklyBriefing,
      quarterHourly(1, '* * * * *'),
      notTicking,
    ]);
    mkdirSync(join(workflowsDir, 'quarter-hourly-v2'));
    writeFileSync(
      join(workflowsDir, 'quarter-hourly-v2', 'workflow.json'),
      JSON.stringify(quarterHourly(2, '*/15 8-18 * * 1-5')),
    );
    // The same topics and the same schema: both instances see schedule_ticks and runs.
    [first, second] = await twoInstances(clock, workflowsDir, {
      BATON_SCHEDULE_TENANT: 'acme-ops',
      BATON_SCHEDULE_CATCH_UP_MINUTES: '20',
    });
    contextSteps = await first.watch(first.names.steps.context);
  });
  afterAll(async () => {
    // The second instance's own (unused) schema name is dropped by its close; the shared one by the first's.
    await second?.close();
    await first?.close();
  });

  it('fires nothing before a tick is due', async () => {
    expect(await fireAt('2026-11-30T07:59:59.999Z')).toEqual([]);
    expect(await runs()).toEqual([]);
  });

  it('fires each due tick exactly once across both instances, as a run and one context envelope', async () => {
    const outcomes = await fireAt('2026-11-30T08:00:05Z');
    // Four concurrent calls, two per instance: each tick is started by one call only.
    expect(started(outcomes)).toEqual([
      'quarter-hourly@2026-11-30T08:00:00.000Z',
      'weekly-briefing@2026-11-30T08:00:00.000Z',
    ]);
    expect(outcomes.filter((o) => o.outcome === 'claimed-elsewhere')).toHaveLength(
      outcomes.length - 2,
    );

    const all = await runs();
    expect(all.map((r) => r.idempotency_key)).toEqual([
      'schedule:quarter-hourly:2026-11-30T08:00:00.000Z',
      'schedule:weekly-briefing:2026-11-30T08:00:00.000Z',
    ]);
    for (const run of all) {
      expect(run).toMatchObject({ tenant_id: 'acme-ops', event_type: 'schedule.tick' });
      expect(run.workflow_version).toBe(run.workflow_id === 'quarter-hourly' ? 2 : 1);
      const envelopes = await envelopesOf(run.id);
      expect(envelopes).toHaveLength(1);
      expect(envelopes[0]).toMatchObject({
        workflow: { id: run.workflow_id, version: run.workflow_version },
        tenantId: 'acme-ops',
        step: { name: 'gather-context', kind: 'context', seq: 0 },
        payload: {
          kind: 'context',
          trigger: {
            eventType: 'schedule.tick',
            source: 'baton-scheduler',
            idempotencyKey: run.idempotency_key,
            data: { tick: run.idempotency_key.split(':').slice(2).join(':') },
            receivedAt: expect.any(String),
          },
        },
      });
    }
    const ticks: Array<{ workflow_id: string; run_id: string | null }> =
      await second.dataSource.query(
        `SELECT workflow_id, run_id FROM schedule_ticks ORDER BY workflow_id, tick`,
      );
    expect(ticks.map((t) => t.run_id)).toEqual(
      [...all].sort((a, b) => a.workflow_id.localeCompare(b.workflow_id)).map((r) => r.id),
    );
  });

  it('fires a later tick once more, and only the ticks within the catch-up window', async () => {
    // A week later, both instances having been idle: quarter-hourly catches up on 08:00 and
    // 08:15 (20 minutes back), not on the week of working-hour quarters since its last tick.
    const outcomes = await fireAt('2026-12-07T08:16:00Z');
    expect(started(outcomes)).toEqual([
      'quarter-hourly@2026-12-07T08:00:00.000Z',
      'quarter-hourly@2026-12-07T08:15:00.000Z',
      'weekly-briefing@2026-12-07T08:00:00.000Z',
    ]);
    // The working-hour quarters of the week between are skipped, and said so once.
    const skipped = outcomes.filter((o) => o.outcome === 'skipped');
    expect(skipped).toEqual([
      {
        workflowId: 'quarter-hourly',
        tick: '2026-12-04T18:45:00.000Z',
        outcome: 'skipped',
        skipped: 4 * 44 + 43,
        skippedFrom: '2026-11-30T08:15:00.000Z',
      },
    ]);
    expect(
      await first.dataSource.query(
        `SELECT tick, workflow_version, skipped, skipped_from, run_id FROM schedule_ticks
          WHERE skipped IS NOT NULL`,
      ),
    ).toEqual([
      {
        tick: new Date('2026-12-04T18:45:00Z'),
        workflow_version: 2,
        skipped: 219,
        skipped_from: new Date('2026-11-30T08:15:00Z'),
        run_id: null,
      },
    ]);
    const weekly = (await runs()).filter((r) => r.workflow_id === 'weekly-briefing');
    expect(weekly.map((r) => r.idempotency_key)).toEqual([
      'schedule:weekly-briefing:2026-11-30T08:00:00.000Z',
      'schedule:weekly-briefing:2026-12-07T08:00:00.000Z',
    ]);
    expect(await envelopesOf(weekly[1]!.id)).toHaveLength(1);

    // Between ticks nothing more is due, and a workflow not accepting schedule.tick never fired.
    expect(await fireAt('2026-12-07T08:29:59Z')).toEqual([]);
    expect((await runs()).filter((r) => r.workflow_id === 'not-ticking')).toEqual([]);
    expect((await runs()).length).toBe(5);
  });
});

describe('a new schedule, and catch-up after downtime, across two trigger instances', () => {
  // The instances come up at 09:00:30 with a new every-minute schedule, and one that has been
  // firing every minute since yesterday (its last tick 09:00).
  const clock = new TestClock(new Date('2026-11-30T09:00:30Z'));
  const everyMinute = (id: string): Workflow => ({
    ...weeklyBriefing,
    id,
    trigger: { ...weeklyBriefing.trigger, schedule: '* * * * *' },
  });
  let first: StartedService;
  let second: StartedService;
  const warnings: unknown[][] = [];

  const fireAt = (at: string) => fireOnBoth(clock, [first, second], at);
  const startedSince = async (count: number) => (await runsOf(first)).slice(count);
  const tick = (workflow: string, time: string) => `${workflow}@2026-11-30T${time}:00.000Z`;

  beforeAll(async () => {
    const workflowsDir = writeWorkflows([everyMinute('fresh'), everyMinute('established')]);
    [first, second] = await twoInstances(clock, workflowsDir, {
      BATON_SCHEDULE_MAX_CATCH_UP: '3',
    });
    // What the established schedule's earlier passes recorded.
    await first.dataSource.query(
      `INSERT INTO schedule_versions (workflow_id, workflow_version, first_seen)
       VALUES ('established', 1, '2026-11-29T09:00:00Z')`,
    );
    await first.dataSource.query(
      `INSERT INTO schedule_ticks (workflow_id, tick, workflow_version)
       VALUES ('established', '2026-11-30T09:00:00Z', 1)`,
    );
    for (const instance of [first, second]) {
      const logger = instance.running.app.get<Logger>(LOGGER);
      vi.spyOn(logger, 'warn').mockImplementation((...args: unknown[]) => {
        warnings.push(args);
      });
    }
  });
  afterAll(async () => {
    await second?.close();
    await first?.close();
  });

  it('fires no tick from before a new schedule was first seen', async () => {
    // The catch-up window (60 minutes) holds the hour of ticks before 09:00:30; none was due.
    expect(await fireAt('2026-11-30T09:00:30Z')).toEqual([]);
    expect(await runsOf(first)).toEqual([]);
    expect(
      await first.dataSource.query(
        `SELECT workflow_id, schedule, first_seen FROM schedule_versions ORDER BY workflow_id`,
      ),
    ).toEqual([
      {
        workflow_id: 'established',
        schedule: '* * * * *',
        first_seen: new Date('2026-11-29T09:00:00Z'),
      },
      { workflow_id: 'fresh', schedule: '* * * * *', first_seen: new Date('2026-11-30T09:00:30Z') },
    ]);
  });

  it('fires only the first due tick of the new schedule, and the next tick of the established one', async () => {
    const outcomes = await fireAt('2026-11-30T09:01:05Z');
    expect(started(outcomes)).toEqual([tick('established', '09:01'), tick('fresh', '09:01')]);
    expect(outcomes.filter((o) => o.outcome === 'skipped')).toEqual([]);
    expect((await runsOf(first)).map((r) => r.idempotency_key)).toEqual([
      'schedule:established:2026-11-30T09:01:00.000Z',
      'schedule:fresh:2026-11-30T09:01:00.000Z',
    ]);
  });

  it('after downtime fires only the cap, the most recent ticks, and reports the rest once', async () => {
    // Both instances were down from 09:01:05 to 09:12:10: 09:02 to 09:12 are due, eleven ticks.
    const outcomes = await fireAt('2026-11-30T09:12:10Z');
    expect(started(outcomes)).toEqual(
      ['established', 'fresh'].flatMap((w) => ['09:10', '09:11', '09:12'].map((t) => tick(w, t))),
    );
    const skipped = outcomes.filter((o) => o.outcome === 'skipped');
    expect(skipped.sort((a, b) => a.workflowId.localeCompare(b.workflowId))).toEqual(
      ['established', 'fresh'].map((workflowId) => ({
        workflowId,
        tick: '2026-11-30T09:09:00.000Z',
        outcome: 'skipped',
        skipped: 8,
        skippedFrom: '2026-11-30T09:02:00.000Z',
      })),
    );
    expect((await startedSince(2)).length).toBe(6);

    // What an operator sees: one row per skipped range, and one warning per workflow.
    expect(
      await second.dataSource.query(
        `SELECT workflow_id, skipped_from, tick, skipped, run_id FROM schedule_ticks
          WHERE skipped IS NOT NULL ORDER BY workflow_id`,
      ),
    ).toEqual(
      ['established', 'fresh'].map((workflow_id) => ({
        workflow_id,
        skipped_from: new Date('2026-11-30T09:02:00Z'),
        tick: new Date('2026-11-30T09:09:00Z'),
        skipped: 8,
        run_id: null,
      })),
    );
    const skipWarnings = warnings.filter(([, message]) => String(message).includes('skipped'));
    expect(skipWarnings).toHaveLength(2);
    expect(skipWarnings.map(([fields]) => fields)).toEqual(
      expect.arrayContaining(
        ['established', 'fresh'].map((workflowId) =>
          expect.objectContaining({
            workflowId,
            skipped: 8,
            from: '2026-11-30T09:02:00.000Z',
            until: '2026-11-30T09:09:00.000Z',
            maxCatchUp: 3,
          }),
        ),
      ),
    );
    expect(String(skipWarnings[0]![1])).toMatch(
      /skipped 8 due ticks from 2026-11-30T09:02:00.000Z to 2026-11-30T09:09:00.000Z/,
    );
  });

  it('goes on firing every tick once after catching up', async () => {
    const outcomes = await fireAt('2026-11-30T09:13:02Z');
    expect(started(outcomes)).toEqual([tick('established', '09:13'), tick('fresh', '09:13')]);
    expect(outcomes.filter((o) => o.outcome === 'skipped')).toEqual([]);
    expect(await fireAt('2026-11-30T09:13:40Z')).toEqual([]);
    const runs = await runsOf(first);
    expect(runs).toHaveLength(10);
    expect(new Set(runs.map((r) => r.idempotency_key)).size).toBe(10);
    // Nothing before 09:01 ever fired for the new schedule.
    expect(
      runs
        .filter((r) => r.workflow_id === 'fresh')
        .map((r) => r.idempotency_key.slice('schedule:fresh:2026-11-30T'.length, -8)),
    ).toEqual(['09:01', '09:10', '09:11', '09:12', '09:13']);
  });
});
