import { SpanKind, trace } from '@opentelemetry/api';
import { aContextEnvelope, nextStep, type StepEnvelope } from '@baton/contracts';
import { BATON_ATTR, startTelemetry, type Telemetry } from '@baton/telemetry';
import {
  OtlpReceiver,
  TestKafka,
  expectEventually,
  uniqueTopic,
  type ReceivedSpan,
} from '@baton/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stepEnvelopeCodec } from './codec/message-codec.js';
import type { Route } from './pipeline/message-pipeline.js';
import { startFixture, type RuntimeFixture } from './testing/runtime.fixture.js';

describe('trace context across three Kafka hops', () => {
  const receiver = new OtlpReceiver();
  const kafka = new TestKafka();
  let telemetry: Telemetry;
  const fixtures: Array<RuntimeFixture & { dropSchema(): Promise<void> }> = [];
  const hops: Array<Route<StepEnvelope>> = ['hop-a', 'hop-b', 'hop-c'].map((label) => ({
    topic: uniqueTopic(label),
    codec: stepEnvelopeCodec,
  }));

  beforeAll(async () => {
    await receiver.start();
    telemetry = startTelemetry({
      serviceName: 'trace-test',
      serviceVersion: 'test',
      otlpEndpoint: receiver.url,
      otlpProtocol: 'http/json',
      exportDelayMs: 100,
    });
    for (const hop of hops) await kafka.createTopic(hop.topic, 2);
  });
  afterAll(async () => {
    for (const fixture of fixtures) {
      await fixture.close();
      await fixture.dropSchema();
    }
    await kafka.close();
    await telemetry.shutdown();
    trace.disable();
    await receiver.stop();
  });

  it('gives all hops one trace id, each consume span parented by the previous hop send span', async () => {
    const finished: StepEnvelope[] = [];
    for (const [index, hop] of hops.entries()) {
      const fixture = await startFixture({
        consumer: uniqueTopic(`svc-${index}`).replace(/\./g, '-'),
      });
      fixtures.push(fixture);
      const next = hops[index + 1];
      fixture.runtime.on(hop, async (envelope, ctx) => {
        if (!next) return void finished.push(envelope);
        const payload =
          envelope.payload.kind === 'context' ? envelope.payload : aContextEnvelope().payload;
        ctx.emit(next, nextStep(envelope, { name: `step-${index + 1}`, kind: 'context' }, payload));
      });
      await fixture.runtime.start();
    }

    const first = aContextEnvelope();
    await trace.getTracer('test').startActiveSpan('upstream request', async (root) => {
      await fixtures[0]!.runtime.transaction(async (tx) => tx.emit(hops[0]!, first));
      root.end();
    });

    await expectEventually(() => expect(finished).toHaveLength(1), { timeoutMs: 30_000 });
    await telemetry.flush();
    const byTopic = (kind: SpanKind, topic: string): ReceivedSpan =>
      receiver.spans.find(
        (s) => s.kind === otlpKind(kind) && s.attributes['messaging.destination.name'] === topic,
      )!;

    await expectEventually(() => expect(byTopic(SpanKind.CONSUMER, hops[2]!.topic)).toBeDefined(), {
      timeoutMs: 15_000,
    });
    const root = receiver.spans.find(
      (s) =>
        s.name === 'upstream request' &&
        !s.parentSpanId &&
        s.traceId === byTopic(SpanKind.PRODUCER, hops[0]!.topic).traceId,
    )!;
    expect(root).toBeDefined();
    // The first message was emitted in a runtime transaction, whose span sits under the root.
    const transaction = receiver.spans.find(
      (s) => s.name === 'baton.transaction' && s.traceId === root.traceId,
    )!;
    expect(transaction.parentSpanId).toBe(root.spanId);
    let parent = transaction;
    for (const hop of hops) {
      const send = byTopic(SpanKind.PRODUCER, hop.topic);
      const process = byTopic(SpanKind.CONSUMER, hop.topic);
      expect(send.traceId).toBe(root.traceId);
      expect(process.traceId).toBe(root.traceId);
      expect(send.parentSpanId).toBe(parent.spanId);
      expect(process.parentSpanId).toBe(send.spanId);
      expect(process.attributes).toMatchObject({
        'messaging.system': 'kafka',
        'messaging.operation.type': 'process',
        [BATON_ATTR.runId]: first.runId,
        [BATON_ATTR.workflowId]: 'billing-dispute',
        [BATON_ATTR.stepKind]: 'context',
      });
      expect(process.serviceName).toBe('trace-test');
      parent = process;
    }
    // The envelope carries the same context as the headers.
    expect(finished[0]!.traceparent).toContain(root.traceId);
  });
});

/** OTLP JSON encodes span kinds one above the API enum (0 = unspecified). */
function otlpKind(kind: SpanKind): number {
  return kind + 1;
}
