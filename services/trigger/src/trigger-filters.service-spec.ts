import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { StepEnvelope } from '@baton/contracts';
import { startServiceInProcess, type InProcessService } from '@baton/service-kit/testing';
import { expectEventually, testApiKeysSetting, writeWorkflows } from '@baton/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deadLettersOf, sendToIngress } from './testing/ingress.fixture.js';
import { aTriggerEvent, postTrigger } from './testing/trigger-event.fixture.js';
import { triggerService } from './trigger.service-definition.js';

const billing = parseYaml(
  readFileSync(
    new URL('../../../workflows/billing-dispute/workflow.yaml', import.meta.url),
    'utf8',
  ),
) as Record<string, unknown> & { trigger: Record<string, unknown> };

// Billing disputes from two channels only, and only with an amount: the help desk publishes
// every ticket to the same workflow id and lets the filters pick.
const filtered = {
  ...billing,
  id: 'filtered-dispute',
  trigger: {
    ...billing.trigger,
    filters: [
      { path: 'trigger.data.channel', op: 'in', value: ['email', 'chat'] },
      { path: 'trigger.data.amount', op: 'gt', value: 0 },
      // A CEL expression beside the simple form: only the billing system's customer ids.
      "!has(trigger.data.customerId) || trigger.data.customerId.startsWith('cus_')",
    ],
  },
};

const event = (key: string, data: Record<string, unknown>) =>
  aTriggerEvent(key, { workflowId: 'filtered-dispute', data });
const matching = { customerId: 'cus_1001', message: 'Charged twice', channel: 'email', amount: 49 };

describe('trigger filters (in-process transport, real Postgres)', () => {
  let service: InProcessService;
  let contextSteps: () => Array<StepEnvelope<'context'>>;
  const post = (body: unknown) => postTrigger(service.running.url, body);
  const runsWithKey = async (key: string) =>
    (await service.dataSource.query(
      'SELECT id, trigger FROM runs WHERE tenant_id = $1 AND idempotency_key = $2',
      ['acme', key],
    )) as Array<{ id: string; trigger: { data: Record<string, unknown> } }>;

  beforeAll(async () => {
    service = await startServiceInProcess(triggerService, {
      workflowsDir: writeWorkflows([filtered]),
      env: {
        BATON_API_KEYS: testApiKeysSetting(),
        LOG_LEVEL: process.env['LOG_LEVEL'] ?? 'error',
      },
    });
    contextSteps = await service.watch(service.names.steps.context);
  });
  afterAll(async () => {
    await service?.close();
  });

  it('answers an event the filters do not match with 200 "ignored" naming the filter, and starts nothing', async () => {
    const response = await post(event('f-1', { ...matching, channel: 'phone' }));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      status: 'ignored',
      workflow: { id: 'filtered-dispute', version: 1 },
      reason:
        'trigger.filters.0 did not hold: trigger.data.channel in ["email","chat"] (the event has "phone")',
      acceptedBy: 'publisher-1',
    });

    // The second filter, on a value the event does not have.
    const second = await post(event('f-2', { ...matching, amount: undefined }));
    expect(second.status).toBe(200);
    expect(await second.json()).toMatchObject({
      status: 'ignored',
      reason: 'trigger.filters.1 did not hold: trigger.data.amount gt 0 (the event has nothing)',
    });
    // An expression that is false.
    const third = await post(event('f-2b', { ...matching, customerId: 'lead_77' }));
    expect(await third.json()).toMatchObject({
      status: 'ignored',
      reason:
        "trigger.filters.2 did not hold: !has(trigger.data.customerId) || trigger.data.customerId.startsWith('cus_') is false",
    });
    expect(await runsWithKey('f-1')).toEqual([]);
    expect(await runsWithKey('f-2')).toEqual([]);
    expect(await runsWithKey('f-2b')).toEqual([]);
  });

  it('applies the filters before `required`: an unwanted event is ignored, not refused for missing data', async () => {
    const response = await post(event('f-3', { channel: 'phone', amount: 10 }));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'ignored' });

    // A wanted event without the required data is still the sender's error.
    const refused = await post(event('f-4', { channel: 'chat', amount: 10, message: 'hi' }));
    expect(refused.status).toBe(422);
    expect(await refused.json()).toMatchObject({
      error: 'missing-data',
      problems: ['data.customerId: is required by workflow filtered-dispute'],
    });
  });

  it('does not spend the idempotency key of an ignored event: the matching event with that key starts a run', async () => {
    expect((await post(event('f-5', { ...matching, channel: 'phone' }))).status).toBe(200);

    const started = await post(event('f-5', matching));
    expect(started.status).toBe(202);
    const run = (await started.json()) as { runId: string; duplicate: boolean };
    expect(run.duplicate).toBe(false);
    await expectEventually(() =>
      expect(contextSteps().map((step) => step.runId)).toContain(run.runId),
    );

    // From now on the key is the run's: a resend of the event gets the run; the key with
    // another event (one the filters would ignore) is refused, not ignored.
    const resent = await post(event('f-5', matching));
    expect(resent.status).toBe(200);
    expect(await resent.json()).toMatchObject({ runId: run.runId, duplicate: true });
    const reused = await post(event('f-5', { ...matching, channel: 'phone' }));
    expect(reused.status).toBe(409);
    expect(await reused.json()).toMatchObject({ error: 'idempotency-key-reused' });
    expect(await runsWithKey('f-5')).toHaveLength(1);
  });

  it('skips an ignored event arriving on the ingress topic without a dead letter, and leaves its key free', async () => {
    const deadLetters = await deadLettersOf(service);
    // Same key, in order: the ignored event is handled before the matching one.
    await sendToIngress(service, event('fk-1', { ...matching, amount: 0 }));
    await sendToIngress(service, event('fk-1', { ...matching, channel: 'chat' }));

    const [run] = await expectEventually(async () => {
      const runs = await runsWithKey('fk-1');
      expect(runs).toHaveLength(1);
      return runs;
    });
    // The run is the matching event's: the ignored one left no inbox claim behind to drop it.
    expect(run!.trigger.data).toMatchObject({ channel: 'chat', amount: 49 });
    await expectEventually(() =>
      expect(contextSteps().map((step) => step.runId)).toContain(run!.id),
    );
    expect(deadLetters()).toEqual([]);
  });
});
