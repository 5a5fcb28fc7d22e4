import { propagation } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import type { StepEnvelope } from '@baton/contracts';
import {
  startServiceInProcess,
  type InProcessService,
  type Read,
} from '@baton/service-kit/testing';
import {
  CapturedSpans,
  aRunTrace,
  bearer,
  expectEventually,
  testApiKeysSetting,
} from '@baton/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aTriggerEvent } from './testing/trigger-event.fixture.js';
import { triggerService } from './trigger.service-definition.js';

// A run names its trace (`traceId` in the API and `baton run`): the trace its trigger arrived
// in, which its steps continue, so an SRE goes from a run id to Jaeger in one step.

describe('trigger service: a run names the trace it started in (in-process transport, real Postgres)', () => {
  const spans = new CapturedSpans();
  let service: InProcessService;
  let contextSteps: Read<StepEnvelope<'context'>>;

  beforeAll(async () => {
    spans.install();
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    service = await startServiceInProcess(triggerService, {
      env: { BATON_API_KEYS: testApiKeysSetting(), LOG_LEVEL: process.env['LOG_LEVEL'] ?? 'error' },
    });
    contextSteps = await service.watch(service.names.steps.context);
  });
  afterAll(async () => {
    await service?.close();
    propagation.disable();
    await spans.uninstall();
  });

  it('records the trace of the trigger record and returns it with the run; the first step is in it', async () => {
    const upstream = aRunTrace();
    const event = aTriggerEvent('traced-1');
    await service.transport.publish([
      {
        topic: service.names.triggerIngress,
        key: `${event.tenantId}:${event.idempotencyKey}`,
        value: JSON.stringify(event),
        headers: { traceparent: upstream.traceparent },
      },
    ]);
    await expectEventually(() =>
      expect(contextSteps().map((e) => e.payload.trigger.idempotencyKey)).toContain('traced-1'),
    );
    const step = contextSteps().find((e) => e.payload.trigger.idempotencyKey === 'traced-1')!;
    const response = await fetch(`${service.running.url}/v1/runs/${step.runId}`, {
      headers: bearer('reviewer'),
    });
    const run = (await response.json()) as { traceId: string | null };
    expect(run.traceId).toBe(upstream.traceId);
    // The step the run sent on continues that trace.
    expect(step.traceparent?.split('-')[1]).toBe(upstream.traceId);

    const { items } = (await (
      await fetch(`${service.running.url}/v1/runs?workflowId=billing-dispute&limit=200`, {
        headers: bearer('reviewer'),
      })
    ).json()) as { items: Array<{ id: string; traceId: string | null }> };
    expect(items.find((item) => item.id === step.runId)?.traceId).toBe(upstream.traceId);
  });
});
