import { SpanKind, context } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import type { RunEvent } from '@baton/contracts';
import { CapturedSpans, ScriptedOpenAI, aRunTrace, expectEventually } from '@baton/testing';
import {
  ofRun,
  startServiceInProcess,
  type InProcessService,
  type Read,
} from '@baton/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decisionService } from './decision.service-definition.js';
import { aDecision, aModelCredit } from './testing/decision-envelopes.fixture.js';

describe("a run's trace holds its model call (in-process transport, real Postgres, scripted model)", () => {
  const scripted = new ScriptedOpenAI();
  const spans = new CapturedSpans();
  let service: InProcessService;
  let events: Read<RunEvent>;

  beforeAll(async () => {
    spans.install();
    await scripted.start();
    service = await startServiceInProcess(decisionService, {
      env: { OPENAI_API_KEY: 'test', OPENAI_BASE_URL: scripted.baseURL },
    });
    events = await service.watch(service.names.runEvents);
  });
  afterAll(async () => {
    await service?.close();
    await scripted.stop();
    await spans.uninstall();
  });

  it('has a chat span under the decision step with the scripted usage and no prompt text', async () => {
    scripted.reply({
      json: aModelCredit({ confidence: 0.42 }),
      promptTokens: 812,
      completionTokens: 37,
    });
    const envelope = aDecision();
    const run = aRunTrace();
    const runTraceId = run.traceId;
    const traced = { ...envelope, traceparent: run.traceparent };
    await context.with(run.context, () => service.publish(service.names.steps.decision, traced));
    await expectEventually(() =>
      expect(ofRun(events, envelope.runId).some((e) => e.type === 'step.finished')).toBe(true),
    );
    expect(scripted.requests).toHaveLength(1);

    const inRun = spans.finished.filter((s) => s.spanContext().traceId === runTraceId);
    const chats = inRun.filter((s) => s.name.startsWith('chat '));
    expect(chats).toHaveLength(1);
    const chat = chats[0]!;
    expect(chat.kind).toBe(SpanKind.CLIENT);
    expect(chat.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.usage.input_tokens': 812,
      'gen_ai.usage.output_tokens': 37,
      'gen_ai.response.finish_reasons': ['stop'],
    });
    expect(chat.attributes['baton.gen_ai.cost_usd']).toBeGreaterThan(0);
    // Under the decision step's span, by its parents.
    const byId = new Map(inRun.map((s) => [s.spanContext().spanId, s]));
    const ancestors: ReadableSpan[] = [];
    for (
      let at = byId.get(chat.parentSpanContext?.spanId ?? '');
      at;
      at = byId.get(at.parentSpanContext?.spanId ?? '')
    ) {
      ancestors.push(at);
    }
    expect(ancestors.map((s) => s.name)).toContain(`process ${service.names.steps.decision}`);
    // No prompt text: nothing the request sent is on the span.
    const prompt = JSON.stringify(scripted.requests[0]!.body['messages']);
    expect(prompt).toContain('cus_1001');
    expect(JSON.stringify(chat.attributes)).not.toContain('cus_1001');
    expect(chat.attributes['gen_ai.input.messages']).toBeUndefined();
  });
});
