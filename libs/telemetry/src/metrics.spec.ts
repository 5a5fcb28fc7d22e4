import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  batonMetrics,
  metricsPort,
  observeConsumer,
  observeOutbox,
  topicAttributes,
} from './metrics.js';
import { startTelemetry, type Telemetry } from './telemetry.js';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe('Prometheus /metrics', () => {
  let telemetry: Telemetry;
  let url: string;

  beforeAll(async () => {
    const port = await freePort();
    telemetry = startTelemetry({
      serviceName: 'baton-metrics-spec',
      serviceVersion: '0.0.0',
      metricsPort: port,
      metricsHost: '127.0.0.1',
    });
    url = `http://127.0.0.1:${port}/metrics`;
  });
  afterAll(() => telemetry.shutdown());

  it('serves the instruments in Prometheus text format, without an API key', async () => {
    const m = batonMetrics();
    m.runsStarted.add(2, { 'baton.workflow.id': 'refunds', 'baton.workflow.version': 3 });
    m.runsEnded.add(1, {
      'baton.workflow.id': 'refunds',
      'baton.workflow.version': 3,
      'baton.run.outcome': 'completed',
    });
    m.stepDuration.record(0.25, { 'baton.step.kind': 'decision' });
    m.reviewWait.record(60, { 'baton.workflow.id': 'refunds' });
    m.genAiDuration.record(1.5, { 'gen_ai.operation.name': 'chat' });
    m.genAiTokens.record(120, { 'gen_ai.token.type': 'input' });
    m.messagesHandled.add(3, topicAttributes('baton.step.decision'));
    m.messagesRetried.add(1, topicAttributes('baton.step.decision'));
    m.messagesDeadLettered.add(1, topicAttributes('baton.step.decision'));
    const stop = observeConsumer('baton.decision', () => ({
      inFlight: 2,
      limit: 16,
      lag: [{ topic: 'baton.step.decision', partition: 3, lag: 7 }],
    }));

    const stopOutbox = observeOutbox('baton.trigger', () => Promise.resolve(4));
    const response = await fetch(url);
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).toMatch(/^baton_runs_started_total\{[^}]*baton_workflow_id="refunds"[^}]*\} 2/m);
    expect(text).toMatch(/^baton_runs_ended_total\{[^}]*baton_run_outcome="completed"[^}]*\} 1/m);
    for (const name of [
      'baton_step_duration_bucket',
      'baton_review_wait_duration_bucket',
      'gen_ai_client_operation_duration_bucket',
      'gen_ai_client_token_usage_bucket',
      'baton_messaging_messages_handled_total',
      'baton_messaging_messages_retried_total',
      'baton_messaging_messages_dead_lettered_total',
      'baton_messaging_handlers_in_flight',
      'baton_messaging_handlers_limit',
    ])
      expect(text).toMatch(new RegExp(`^${name}\\{`, 'm'));
    expect(text).toMatch(
      /^baton_messaging_consumer_lag\{[^}]*messaging_destination_partition_id="3"[^}]*\} 7/m,
    );
    expect(text).toMatch(/^baton_outbox_pending\{[^}]*\} 4/m);
    stop();
    stopOutbox();
    expect(text).toMatch(/^gen_ai_client_token_usage_count\{[^}]*gen_ai_token_type="input"/m);
  });

  it('takes the service default port unless the setting says otherwise; 0 is off', () => {
    expect(metricsPort(-1, 3000)).toBe(9464);
    expect(metricsPort(-1, 3005)).toBe(9469);
    expect(metricsPort(0, 3000)).toBe(0);
    expect(metricsPort(9100, 3000)).toBe(9100);
  });
});
