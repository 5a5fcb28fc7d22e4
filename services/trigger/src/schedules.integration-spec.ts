import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { StepEnvelope } from '@baton/contracts';
import { startService, type StartedService } from '@baton/service-kit/testing';
import { expectEventually, testApiKeysSetting, writeWorkflows } from '@baton/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

describe('scheduled workflows across two trigger instances', () => {
  // 2026-11-30 is a Monday. The instances start at 07:30: nothing is due yet.
  const clock = new TestClock(new Date('2026-11-30T07:30:00Z'));
  // Both instances read this clock.
  const definition = triggerServiceOn(clock);
  const settings = {
    LOG_LEVEL: process.env['LOG_LEVEL'] ?? 'error',
    BATON_API_KEYS: testApiKeysSetting(),
    BATON_SCHEDULE_TENANT: 'acme-ops',
    BATON_SCHEDULE_CATCH_UP_MINUTES: '20',
    // The timer would fire on the same clock (and be de-duplicated like the instances are), but
    // the test calls fire-schedules itself so that it knows which call fired what.
    BATON_SCHEDULE_TICK_MS: '3600000',
  };
  let first: StartedService;
  let second: StartedService;
  let contextSteps: () => Array<StepEnvelope<'context'> | { marker: string }>;

  const fireOnBoth = async (at: string): Promise<TickOutcome[]> => {
    clock.time = new Date(at);
    const instances = [first, second, first, second].map((s) =>
      s.running.app.get(FireSchedulesUseCase),
    );
    return (await Promise.all(instances.map((useCase) => useCase.execute()))).flat();
  };
  const runs = (): Promise<RunRow[]> =>
    first.dataSource.query(
      `SELECT id, idempotency_key, tenant_id, workflow_id, workflow_version, event_type
       FROM runs ORDER BY idempotency_key`,
    );
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
  const started = (outcomes: TickOutcome[]) =>
    outcomes
      .filter((o) => o.outcome === 'started')
      .map((o) => `${o.workflowId}@${o.tick}`)
      .sort();

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
    first = await startService(definition, { workflowsDir, env: settings });
    // The same topics and the same schema: both instances see schedule_ticks and runs.
    second = await startService(definition, {
      env: {
        ...settings,
        BATON_WORKFLOWS_DIR: workflowsDir,
        BATON_TOPIC_PREFIX: first.names.triggerIngress.slice(0, -'trigger.ingress'.length),
        BATON_SCHEMA_PREFIX: first.schema.slice(0, -'trigger'.length),
      },
    });
    contextSteps = await first.watch(first.names.steps.context);
  });
  afterAll(async () => {
    // The second instance's own (unused) schema name is dropped by its close; the shared one by the first's.
    await second?.close();
    await first?.close();
  });

  it('fires nothing before a tick is due', async () => {
    expect(await fireOnBoth('2026-11-30T07:59:59.999Z')).toEqual([]);
    expect(await runs()).toEqual([]);
  });

  it('fires each due tick exactly once across both instances, as a run and one context envelope', async () => {
    const outcomes = await fireOnBoth('2026-11-30T08:00:05Z');
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
    const outcomes = await fireOnBoth('2026-12-07T08:16:00Z');
    expect(started(outcomes)).toEqual([
      'quarter-hourly@2026-12-07T08:00:00.000Z',
      'quarter-hourly@2026-12-07T08:15:00.000Z',
      'weekly-briefing@2026-12-07T08:00:00.000Z',
    ]);
    const weekly = (await runs()).filter((r) => r.workflow_id === 'weekly-briefing');
    expect(weekly.map((r) => r.idempotency_key)).toEqual([
      'schedule:weekly-briefing:2026-11-30T08:00:00.000Z',
      'schedule:weekly-briefing:2026-12-07T08:00:00.000Z',
    ]);
    expect(await envelopesOf(weekly[1]!.id)).toHaveLength(1);

    // Between ticks nothing more is due, and a workflow not accepting schedule.tick never fired.
    expect(await fireOnBoth('2026-12-07T08:29:59Z')).toEqual([]);
    expect((await runs()).filter((r) => r.workflow_id === 'not-ticking')).toEqual([]);
    expect((await runs()).length).toBe(5);
  });
});
