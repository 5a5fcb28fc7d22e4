import { runEventFor, uuidv7, type RunEvent, type StepEnvelope } from '@baton/contracts';
import {
  ofRun,
  startServiceInProcess,
  TestClock,
  type InProcessService,
  type Read,
} from '@baton/service-kit/testing';
import { bearer, expectEventually, testApiKeysSetting } from '@baton/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { triggerServiceOn } from './testing/clock.fixture.js';
import { aTriggerEvent, postTrigger } from './testing/trigger-event.fixture.js';
import { ExpireRunsUseCase } from './use-cases/expire-runs/expire-runs.use-case.js';
import { FireSchedulesUseCase } from './use-cases/fire-schedules/fire-schedules.use-case.js';
import { readFileSync } from 'node:fs';

interface RunView {
  id: string;
  status: string;
  reason: string | null;
  workflow: { id: string; version: number };
  steps: Array<{ name: string; outcome: string }>;
}

/**
 * Every use case of the trigger service through its own HTTP API and topics, on the in-process
 * transport and the real Postgres: start (HTTP and ingress), the run ledger kept from run events,
 * queries, cancel, the deadline sweep and the workflow list.
 */
describe('trigger service use cases (in-process transport, real Postgres)', () => {
  const clock = new TestClock();
  let service: InProcessService;
  let contextSteps: Read<StepEnvelope<'context'>>;
  let runEvents: Read<RunEvent>;
  let runEnded: Read<RunEvent>;
  const get = async <T>(path: string): Promise<T> => {
    const response = await fetch(`${service.running.url}${path}`, { headers: bearer('reviewer') });
    expect(response.status).toBe(200);
    return (await response.json()) as T;
  };
  const run = (id: string) => get<RunView>(`/v1/runs/${id}`);
  const start = async (key: string): Promise<string> => {
    const response = await postTrigger(service.running.url, aTriggerEvent(key));
    expect(response.status).toBe(202);
    return ((await response.json()) as { runId: string }).runId;
  };

  beforeAll(async () => {
    service = await startServiceInProcess(triggerServiceOn(clock), {
      env: { BATON_API_KEYS: testApiKeysSetting(), BATON_SCHEDULE_TICK_MS: '3600000' },
    });
    contextSteps = await service.watch(service.names.steps.context);
    runEvents = await service.watch(service.names.runEvents);
    runEnded = await service.watch(service.names.runEnded);
  }, 120_000);
  afterAll(() => service?.close());

  it('starts a run over HTTP: the first context step goes out and the ledger says running', async () => {
    const runId = await start('svc-http-1');
    const [first] = await expectEventually(() => {
      const sent = ofRun(contextSteps, runId);
      expect(sent).toHaveLength(1);
      return sent;
    });
    expect(first).toMatchObject({ runId, step: { kind: 'context' } });
    expect(ofRun(runEvents, runId).map((e) => e.type)).toContain('run.started');
    expect(await run(runId)).toMatchObject({ id: runId, status: 'running' });
  });

  it('starts a run from the ingress topic, once for a resent event', async () => {
    const event = aTriggerEvent('svc-ingress-1');
    await service.publish(service.names.triggerIngress, { runId: 'ingress', ...event });
    await service.publish(service.names.triggerIngress, { runId: 'ingress', ...event });
    const page = await expectEventually(async () => {
      const listed = await get<{ items: Array<{ id: string; idempotencyKey: string }> }>(
        '/v1/runs?limit=50',
      );
      const started = listed.items.filter((r) => r.idempotencyKey === 'svc-ingress-1');
      expect(started).toHaveLength(1);
      return started;
    });
    await expectEventually(() => expect(ofRun(contextSteps, page[0]!.id)).toHaveLength(1));
  });

  it('keeps the ledger from run events, and relays the end to the run-ended topic', async () => {
    const runId = await start('svc-ledger-1');
    const { workflow } = await run(runId);
    const at = clock.now();
    const report = {
      name: 'gather-context',
      kind: 'context' as const,
      seq: 1,
      attempt: 1,
      envelopeId: uuidv7(),
      startedAt: at.toISOString(),
      finishedAt: at.toISOString(),
      outcome: 'gathered',
    };
    const of = { runId, workflow, tenantId: 'acme' };
    await service.publish(
      service.names.runEvents,
      runEventFor(of, { type: 'step.finished', step: report }, at),
    );
    await service.publish(
      service.names.runEvents,
      runEventFor(of, { type: 'run.ended', status: 'completed', reason: 'done' }, at),
    );
    await expectEventually(async () =>
      expect(await run(runId)).toMatchObject({
        status: 'completed',
        reason: 'done',
        steps: [{ name: 'gather-context', outcome: 'gathered' }],
      }),
    );
    await expectEventually(() =>
      expect(ofRun(runEnded, runId)).toEqual([expect.objectContaining({ status: 'completed' })]),
    );
    // A terminal status is final: a later end does not change it.
    await service.publish(
      service.names.runEvents,
      runEventFor(of, { type: 'run.ended', status: 'failed', reason: 'late' }, at),
    );
    await expectEventually(() => expect(ofRun(runEnded, runId)).toHaveLength(2));
    expect(await run(runId)).toMatchObject({ status: 'completed', reason: 'done' });
  });

  it('cancels a running run once: run.ended goes out, a second cancel is 409', async () => {
    const runId = await start('svc-cancel-1');
    const cancel = () =>
      fetch(`${service.running.url}/v1/runs/${runId}/cancel`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...bearer('reviewer') },
        body: JSON.stringify({ reason: 'duplicate ticket' }),
      });
    const first = await cancel();
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({ runId, status: 'cancelled' });
    expect((await cancel()).status).toBe(409);
    await expectEventually(() =>
      expect(
        ofRun(runEvents, runId).filter((e) => e.type === 'run.ended' && e.status === 'cancelled'),
      ).toHaveLength(1),
    );
    expect(await run(runId)).toMatchObject({ status: 'cancelled' });
  });

  it('ends a run past its deadline failed, with the reason, and leaves a fresh run alone', async () => {
    const overdue = await start('svc-deadline-1');
    // billing-dispute's deadline is 60 minutes; the sweep's grace 5: two hours on is past both.
    const later = new Date(clock.now().getTime() + 2 * 60 * 60_000);
    const expired = await service.running.app.get(ExpireRunsUseCase).execute(later);
    expect(expired.map((e) => e.runId)).toContain(overdue);
    expect(await run(overdue)).toMatchObject({ status: 'failed' });
    expect((await run(overdue)).reason).toMatch(/deadline/);
    const fresh = await start('svc-deadline-2');
    const none = await service.running.app.get(ExpireRunsUseCase).execute(clock.now());
    expect(none.map((e) => e.runId)).not.toContain(fresh);
  });

  it('fires a scheduled workflow once per due tick, however often it is asked', async () => {
    const schedules = service.running.app.get(FireSchedulesUseCase);
    // weekly-briefing runs Mondays at 08:00 UTC. First seen now; a minute after the next
    // Monday 08:00 that tick is due, and asking twice fires it once.
    const next = new Date(clock.now());
    next.setUTCHours(8, 0, 0, 0);
    next.setUTCDate(next.getUTCDate() + ((8 - next.getUTCDay()) % 7 || 7));
    const weekOn = new Date(next.getTime() + 60_000);
    await schedules.execute(clock.now());
    const fired = await schedules.execute(weekOn);
    const started = fired.filter(
      (o) => o.workflowId === 'weekly-briefing' && o.outcome === 'started',
    );
    expect(started).toHaveLength(1);
    const again = await schedules.execute(weekOn);
    expect(again.filter((o) => o.outcome === 'started')).toEqual([]);
  });

  it('publishes a new workflow version, and refuses other content under the same version', async () => {
    const yaml = readFileSync(
      new URL('../../../workflows/billing-dispute/workflow.yaml', import.meta.url),
      'utf8',
    ).replace(/^version: \d+$/m, 'version: 90');
    const publish = (body: string) =>
      fetch(`${service.running.url}/v1/workflows`, {
        method: 'POST',
        headers: { 'content-type': 'application/yaml', ...bearer('admin') },
        body,
      });
    const first = await publish(yaml);
    expect([200, 201]).toContain(first.status);
    expect((await publish(yaml)).status).toBeLessThan(300);
    const changed = await publish(yaml.replace(/deadlineMinutes: 60/, 'deadlineMinutes: 61'));
    expect(changed.status).toBe(409);
  });

  it('lists the workflows it holds', async () => {
    const listed = await get<{ items: Array<{ id: string }> } | Array<{ id: string }>>(
      '/v1/workflows',
    );
    const items = Array.isArray(listed) ? listed : listed.items;
    expect(items.map((w) => w.id)).toContain('billing-dispute');
  });
});
