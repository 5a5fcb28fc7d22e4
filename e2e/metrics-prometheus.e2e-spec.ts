import { PrometheusServer, SERVICES, expectEventually } from '@baton/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BatonClient,
  creditDecision,
  disputeEvent,
  notADisputeDecision,
} from './support/baton-client.js';
import { BatonSystem } from './support/baton-system.js';

/**
 * Metrics end to end (docs/observability.md#metrics): the six services over Kafka and Postgres
 * each serve /metrics on their own port, a real Prometheus server (Debian's package) scrapes
 * them, and PromQL through its HTTP API counts exactly the runs driven.
 */
describe('metrics scraped by Prometheus', () => {
  const system = new BatonSystem();
  const api = new BatonClient(system);
  const prometheus = new PrometheusServer();
  /**
   * Triggers a run and waits until it ends with `status`; `review` approves it on the way (the
   * model proposes a credit above the auto-approve limit, so a person is asked).
   */
  const drive = async (event: ReturnType<typeof disputeEvent>, status: string, review = false) => {
    const { status: code, body } = await api.trigger(event);
    expect(code, JSON.stringify(body)).toBe(202);
    const runId = body['runId'] as string;
    if (review) {
      const task = await api.waitForTask(runId);
      expect((await api.decide(task.id, 'approve', {})).status).toBe(200);
    }
    const ended = await api.waitForRun(runId, ['completed', 'failed', 'rejected', 'cancelled']);
    expect(ended.status).toBe(status);
  };

  beforeAll(async () => {
    await system.start();
    system.model.reply(creditDecision('inv_2002', 18));
    await drive(
      disputeEvent({ customerId: 'cus_1001', message: 'Refund $18, please.' }),
      'completed',
    );
    system.model.reply(creditDecision('inv_2101', 240, 'cus_1002'));
    await drive(
      disputeEvent({ customerId: 'cus_1002', message: 'You billed me 240 twice.' }),
      'completed',
      true,
    );
    system.model.reply(notADisputeDecision());
    await drive(disputeEvent({ customerId: 'cus_1001', message: 'Where is my parcel?' }), 'failed');
    await prometheus.start(
      Object.fromEntries(
        SERVICES.map((service) => [service, `127.0.0.1:${system.metricsPorts[service]}`]),
      ),
    );
  }, 240_000);

  afterAll(async () => {
    await prometheus.stop();
    await system.stop();
  });

  it('serves /metrics on each service without an API key', async () => {
    for (const service of SERVICES) {
      const response = await fetch(`http://127.0.0.1:${system.metricsPorts[service]}/metrics`);
      expect(response.status, service).toBe(200);
      expect(await response.text(), service).toContain('# TYPE');
    }
  });

  it('Prometheus scrapes every service and counts the runs driven', async () => {
    const value = async (promql: string) => (await prometheus.query(promql))[0]?.value;
    await expectEventually(
      async () => expect(await value('count(up{job="baton"} == 1)')).toBe(SERVICES.length),
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    await expectEventually(
      async () => {
        expect(await value('sum(baton_runs_started_total)')).toBe(3);
        expect(await value('sum(baton_runs_ended_total{baton_run_outcome="completed"})')).toBe(2);
        expect(await value('sum(baton_runs_ended_total{baton_run_outcome="failed"})')).toBe(1);
        expect(await value('sum(baton_runs_ended_total)')).toBe(3);
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    // Every step of the three runs was handled by some service; none was dead-lettered.
    expect(await value('sum(baton_messaging_messages_handled_total)')).toBeGreaterThan(2);
    expect(await value('sum(baton_messaging_messages_dead_lettered_total)')).toBeUndefined();
    // The model calls, with the OTel GenAI metric names; the one review's wait.
    expect(await value('sum(gen_ai_client_operation_duration_count)')).toBe(3);
    expect(await value('sum(baton_review_wait_duration_count)')).toBe(1);
    const tokens = await prometheus.query(
      'sum by (gen_ai_token_type) (gen_ai_client_token_usage_count)',
    );
    expect(tokens.map((t) => t.metric['gen_ai_token_type']).sort()).toEqual(['input', 'output']);
    const kinds = await prometheus.query('sum by (baton_step_kind) (baton_step_duration_count)');
    expect(kinds.map((k) => k.metric['baton_step_kind']).sort()).toEqual(
      expect.arrayContaining(['context', 'decision']),
    );
  });
});
