import { context, trace } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { CapturedSpans, aRunTrace, expectEventually } from '@baton/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEYS, startEscalation, type EscalationFixture } from './testing/escalation.fixture.js';

describe('a review joins the run’s trace both ways by span links (real broker, real Postgres)', () => {
  const spans = new CapturedSpans();
  let esc: EscalationFixture;

  beforeAll(async () => {
    spans.install();
    esc = await startEscalation({ harness: 'kafka' });
  });
  afterAll(async () => {
    await esc?.close();
    await spans.uninstall();
  });

  const named = (name: string, runId: string): ReadableSpan =>
    spans.finished.find((span) => span.name === name && span.attributes['baton.run_id'] === runId)!;

  for (const [action, outcome, body] of [
    ['approve', 'approved', {}],
    ['reject', 'rejected', { reason: 'the invoice was already credited' }],
  ] as const) {
    it(`links the reviewer's ${action} to the run's trace, and the resumed step back to it`, async () => {
      // The run's trace, as the step before the escalation left it on the envelope.
      const run = aRunTrace();
      const runTraceId = run.traceId;
      const envelope = await context.with(run.context, () =>
        esc.escalate({ traceparent: run.traceparent }),
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
      const send = spans.finished.find(
        (span) => span.spanContext().spanId === resumed!.traceparent!.split('-')[2],
      )!;
      expect(send.parentSpanContext?.spanId).toBe(resume.spanContext().spanId);
    });
  }
});
