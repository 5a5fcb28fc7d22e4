import { randomBytes } from 'node:crypto';
import { ROOT_CONTEXT, TraceFlags, context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  InMemorySpanExporter,
  SimpleSpanProcessor,
  TracerProvider,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace';
import { expectEventually } from '@baton/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEYS, startEscalation, type EscalationFixture } from './testing/escalation.fixture.js';

describe('a review joins the run’s trace both ways by span links (real broker, real Postgres)', () => {
  const spans = new InMemorySpanExporter();
  const provider = new TracerProvider({
    spanProcessors: [new SimpleSpanProcessor({ exporter: spans })],
  });
  const contextManager = new AsyncLocalStorageContextManager().enable();
  let esc: EscalationFixture;

  beforeAll(async () => {
    context.setGlobalContextManager(contextManager);
    trace.setGlobalTracerProvider(provider);
    esc = await startEscalation({ harness: 'kafka' });
  });
  afterAll(async () => {
    await esc?.close();
    trace.disable();
    context.disable();
    await provider.shutdown();
  });

  const named = (name: string, runId: string): ReadableSpan =>
    spans
      .getFinishedSpans()
      .find((span) => span.name === name && span.attributes['baton.run_id'] === runId)!;

  for (const [action, outcome, body] of [
    ['approve', 'approved', {}],
    ['reject', 'rejected', { reason: 'the invoice was already credited' }],
  ] as const) {
    it(`links the reviewer's ${action} to the run's trace, and the resumed step back to it`, async () => {
      // The run's trace, as the step before the escalation left it on the envelope.
      const runTraceId = randomBytes(16).toString('hex');
      const spanId = randomBytes(8).toString('hex');
      const step = trace.setSpanContext(ROOT_CONTEXT, {
        traceId: runTraceId,
        spanId,
        traceFlags: TraceFlags.SAMPLED,
        isRemote: true,
      });
      const envelope = await context.with(step, () =>
        esc.escalate({ traceparent: `00-${runTraceId}-${spanId}-01` }),
      );
      const taskId = await esc.taskIdOf(envelope);

      // The reviewer's request, in a trace of its own.
      const answer = await trace
        .getTracer('test')
        .startActiveSpan('POST /v1/tasks/:id', { root: true }, async (span) => {
          const sent = await esc.api('POST', `/v1/tasks/${taskId}/${action}`, KEYS.reviewer, body);
          span.end();
          return sent;
        });
      expect(answer.status).toBe(200);
      const [resumed] = await expectEventually(() => {
        const sent = esc.decisionsOf(envelope.runId);
        expect(sent).toHaveLength(1);
        return sent;
      });

      const review = named(`review ${outcome}`, envelope.runId);
      expect(review).toBeDefined();
      expect(review.spanContext().traceId).not.toBe(runTraceId);
      expect(review.links.map((link) => link.context.traceId)).toEqual([runTraceId]);
      expect(review.attributes).toMatchObject({
        'baton.task.id': taskId,
        'baton.review.outcome': outcome,
      });

      const resume = named('resume run', envelope.runId);
      expect(resume.spanContext().traceId).toBe(runTraceId);
      expect(resume.links.map((link) => link.context.spanId)).toEqual([
        review.spanContext().spanId,
      ]);
      // The resumed step continues the run's trace under the span that links back.
      expect(resumed!.traceparent).toContain(runTraceId);
      const send = spans
        .getFinishedSpans()
        .find((span) => span.spanContext().spanId === resumed!.traceparent!.split('-')[2])!;
      expect(send.parentSpanContext?.spanId).toBe(resume.spanContext().spanId);
    });
  }
});
