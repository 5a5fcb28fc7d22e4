import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startService, type StartedService } from '@baton/service-kit/testing';
import {
  OwnKafkaBroker,
  REPO_ROOT,
  bearer,
  expectEventually,
  testApiKeysSetting,
} from '@baton/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aTriggerEvent } from './testing/trigger-event.fixture.js';
import { triggerService } from './trigger.service-definition.js';

const run = promisify(execFile);

describe('trigger service while the broker is down', () => {
  let broker: OwnKafkaBroker;
  let service: StartedService;

  const post = (key: string) =>
    fetch(`${service.running.url}/v1/triggers`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer('publisher') },
      body: JSON.stringify(aTriggerEvent(key)),
    });
  const unpublished = async () =>
    (
      (await service.dataSource.query('SELECT count(*)::int AS n FROM outbox')) as Array<{
        n: number;
      }>
    )[0]!.n;

  beforeAll(async () => {
    broker = await OwnKafkaBroker.start();
    // The kit's test start, on this test's own broker instead of the shared one.
    service = await startService(triggerService, {
      env: {
        KAFKA_BROKERS: broker.address,
        BATON_API_KEYS: testApiKeysSetting(),
        // Its broker is stopped on purpose: the client's connection errors are expected.
        LOG_LEVEL: process.env['LOG_LEVEL'] ?? 'silent',
      },
    });
  }, 120_000);
  afterAll(async () => {
    await service?.close();
    await broker?.remove();
  }, 120_000);

  it('answers triggers at commit through a 30 s outage, not after a send, keeps their steps in the outbox, and sends them once the broker is back', async () => {
    expect((await post('outage-before')).status).toBe(202);
    await expectEventually(async () => expect(await unpublished()).toBe(0));

    await broker.script('stop');
    // About thirty seconds without a broker, a trigger every six: the outage is the scenario here,
    // nothing races it.
    const answers: Array<{ status: number; ms: number }> = [];
    for (let i = 0; i < 5; i++) {
      if (i > 0) await new Promise((resolve) => setTimeout(resolve, 6_000));
      const started = performance.now();
      const response = await post(`outage-${i}`);
      answers.push({ status: response.status, ms: performance.now() - started });
    }
    // Accepted, and not by waiting for a send: the runs' messages are still in the outbox
    // (a first step and a run.started event per run). Before, each answer waited 35–49 s for
    // the producer to give up.
    expect(answers.map((a) => a.status)).toEqual([202, 202, 202, 202, 202]);
    expect(await unpublished()).toBeGreaterThanOrEqual(10);
    // The bound only catches a return to waiting for the producer (35 s); answers take tens of ms.
    expect(Math.max(...answers.map((a) => a.ms))).toBeLessThan(5_000);

    // Readiness says what is wrong, within a second, instead of hanging with the broker.
    const started = performance.now();
    const ready = await fetch(`${service.running.url}/health/ready`);
    expect(performance.now() - started).toBeLessThan(5_000); // each check gives up after 800 ms
    expect(ready.status).toBe(503);
    const body = (await ready.json()) as { checks: Array<{ name: string; ok: boolean }> };
    expect(body.checks).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'broker', ok: false }),
        expect.objectContaining({ name: 'database', ok: true }),
      ]),
    );

    await broker.script('start');
    await expectEventually(async () => expect(await unpublished()).toBe(0), {
      timeoutMs: 90_000,
    });
    const { stdout } = await run(
      'kcat',
      ['-b', broker.address, '-C', '-t', service.names.steps.context, '-e', '-q', '-f', '%k\n'],
      { cwd: REPO_ROOT },
    );
    // Every run's first step is there (keyed by run); a send retried across the outage may
    // have gone out twice, which the consumers' inboxes absorb (at-least-once, by design).
    expect(new Set(stdout.trim().split('\n')).size).toBe(6);
  }, 240_000);
});
