// Test-only: the real escalation service, on the in-process transport (the service tier) or on
// the real broker (the integration tier), with the real Postgres, a test clock, API keys, and
// helpers to publish escalations, read what the service emits and call its HTTP API.
import type { DataSource } from 'typeorm';
import {
  aContextEnvelope,
  nextStep,
  type DecisionRecord,
  type EffectRecord,
  type RunEvent,
  type StepEnvelope,
  type StepRecord,
  type TopicNames,
} from '@baton/contracts';
import { CLOCK, sha256, type RunningService, type ServiceDefinition } from '@baton/service-kit';
import {
  TestClock,
  startService,
  startServiceInProcess,
  type Read,
} from '@baton/service-kit/testing';
import { expectEventually, type TestKafka } from '@baton/testing';
import { expect } from 'vitest';
import { escalationService } from '../escalation.service-definition.js';

export { TestClock };

export const KEYS = { reviewer: 'rev-key-1', publisher: 'pub-key-1', admin: 'adm-key-1' };
/** A second reviewer (`other-reviewer`), for claims. */
export const OTHER_REVIEWER_KEY = 'rev-key-2';

/** cus_1001's invoices as the escalated run found them. */
export const INVOICES = [
  { id: 'inv_2001', amount: 200, status: 'paid' },
  { id: 'inv_2002', amount: 18, status: 'paid' },
];

export const creditProposal: DecisionRecord = {
  next: 'act',
  tool: 'issue-credit',
  args: { customerId: 'cus_1001', invoiceId: 'inv_2001', amount: 150 },
  label: 'credit-duplicate-charge',
  confidence: 0.82,
  rationale: 'The March invoice was charged twice.',
  decidedBy: 'model',
};

export interface EscalationFixture {
  service: RunningService;
  /** The service's own database (its schema), to check what it wrote. */
  dataSource: DataSource;
  names: TopicNames;
  clock: TestClock;
  /** The broker's test client (records as they are on the topics); only with `harness: 'kafka'`. */
  kafka: TestKafka | undefined;
  /** Publishes an escalation envelope (with the credit proposal unless told) for a new run. */
  escalate(options?: {
    decision?: DecisionRecord | null;
    reason?: string;
    tenantId?: string;
    history?: StepRecord[];
    /** Another workflow version than billing-dispute@1 (one a test added to the catalog). */
    workflow?: { id: string; version: number };
    /** The run's trace context on the envelope (as a traced producer sets it). */
    traceparent?: string;
  }): Promise<StepEnvelope<'escalation'>>;
  publish(envelope: StepEnvelope<'escalation'>): Promise<void>;
  /** Publishes a run event as the run ledger relays it (`run.ended` on the run-ended topic). */
  publishRunEvent(event: RunEvent): Promise<void>;
  /** Publishes an executed write on the effects topic (as the action service does). */
  publishEffect(effect: EffectRecord): Promise<void>;
  /** Waits for the task of an escalation (its `step.finished` names it). */
  taskIdOf(envelope: StepEnvelope<'escalation'>): Promise<string>;
  decisionsOf(runId: string): StepEnvelope<'decision'>[];
  eventsOf(runId: string, type?: RunEvent['type']): RunEvent[];
  /** What was dead-lettered from the escalation topic (the envelopes, parsed). */
  deadLetters(): Array<{ runId: string }>;
  api(
    method: 'GET' | 'POST',
    path: string,
    key?: string,
    body?: unknown,
  ): Promise<{ status: number; body: Record<string, unknown> }>;
  close(): Promise<void>;
}

/** BATON_API_KEYS for KEYS (one user per role) and OTHER_REVIEWER_KEY. */
function apiKeys(): string {
  return [
    ...Object.entries(KEYS).map(([role, key]) => [`${role}-user`, role, key]),
    ['other-reviewer', 'reviewer', OTHER_REVIEWER_KEY],
  ]
    .map(([name, role, key]) => `${name}:${role}:${sha256(key!).toString('hex')}`)
    .join(',');
}

/**
 * Starts the escalation service with the fixture's keys and a TestClock as its clock.
 * `harness`: `in-process` (default; the service tier: no broker, no record signing) or
 * `kafka` (the integration tier: the real broker, records signed). `env`: settings of this
 * instance beside the fixture's (they win over them).
 */
export async function startEscalation(
  options: { env?: Record<string, string>; harness?: 'in-process' | 'kafka' } = {},
): Promise<EscalationFixture> {
  const clock = new TestClock();
  // The kit provides its systemClock; the definition's providers come after and win.
  const definition: ServiceDefinition = {
    ...escalationService,
    providers: async (context) => [
      ...((await escalationService.providers?.(context)) ?? []),
      { provide: CLOCK, useValue: clock },
    ],
  };
  const env = {
    LOG_LEVEL: process.env['LOG_LEVEL'] ?? 'error',
    BATON_API_KEYS: apiKeys(),
    BATON_OUTBOX_SWEEP_INTERVAL_MS: '500',
    ...options.env,
  };
  const harness =
    options.harness === 'kafka'
      ? await startService(definition, { env })
      : await startServiceInProcess(definition, { env });
  const { names } = harness;
  const service = harness.running;
  const decisions = await harness.watch<StepEnvelope<'decision'>>(names.steps.decision);
  const runEvents = await harness.watch<RunEvent>(names.runEvents);
  const deadLetters: Read<{ runId: string }> = await harness.watch(`${names.steps.escalation}.dlq`);

  const publish = (envelope: StepEnvelope<'escalation'>) =>
    harness.publish(names.steps.escalation, envelope);
  const publishRunEvent = (event: RunEvent) =>
    // A run's end reaches the step services on the run-ended topic, as the run ledger relays it.
    harness.publish(event.type === 'run.ended' ? names.runEnded : names.runEvents, event);
  const publishEffect = (effect: EffectRecord) => harness.publish(names.effects, effect);
  const eventsOf = (runId: string, type?: RunEvent['type']) =>
    runEvents().filter((e) => e.runId === runId && (!type || e.type === type));

  return {
    service,
    dataSource: harness.dataSource,
    names,
    clock,
    kafka: 'kafka' in harness ? harness.kafka : undefined,
    publish,
    publishRunEvent,
    publishEffect,
    eventsOf,
    deadLetters,
    async escalate({
      decision = creditProposal,
      reason = 'credits above 100 need a reviewer',
      tenantId = 'acme',
      history = [],
      workflow,
      traceparent,
    } = {}) {
      const first = aContextEnvelope({
        tenantId,
        data: { customerId: 'cus_1001', message: 'charged twice' },
      });
      const context = workflow ? { ...first, workflow } : first;
      const envelope = nextStep(
        context,
        { name: 'escalate', kind: 'escalation' },
        {
          kind: 'escalation',
          state: {
            trigger: context.payload.trigger,
            evidence: [
              { source: 'customer', kind: 'record', content: { id: 'cus_1001' }, weak: false },
              {
                source: 'invoices',
                kind: 'record',
                content: INVOICES,
                weak: false,
              },
              {
                source: 'policy',
                kind: 'passage',
                content: 'Refunds…',
                score: 0.005,
                weak: true,
                note: 'low score',
              },
            ],
            weakEvidence: true,
            history: [
              { name: 'gather-context', kind: 'context', seq: 0, outcome: 'gathered' },
              ...history,
            ],
          },
          ...(decision ? { decision } : {}),
          reason,
        },
      );
      const traced = traceparent ? { ...envelope, traceparent } : envelope;
      await publish(traced);
      return traced;
    },
    async taskIdOf(envelope) {
      return expectEventually(() => {
        const finished = eventsOf(envelope.runId, 'step.finished').find(
          (e) => e.step?.envelopeId === envelope.envelopeId,
        );
        expect(finished?.step?.outcome).toBe('task-created');
        return finished!.step!.output!['taskId'] as string;
      });
    },
    decisionsOf: (runId) => decisions().filter((envelope) => envelope.runId === runId),
    async api(method, path, key, body) {
      const response = await fetch(`${service.url}${path}`, {
        method,
        headers: {
          ...(key ? { authorization: `Bearer ${key}` } : {}),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    },
    close: () => harness.close(),
  };
}
