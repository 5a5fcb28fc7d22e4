// Test-only: the real escalation service in-process (Kafka + Postgres), a test clock, API keys,
// and helpers to publish escalations, read what the service emits and call its HTTP API.
import {
  aContextEnvelope,
  allTopics,
  nextStep,
  topicNames,
  type DecisionRecord,
  type EffectRecord,
  type RunEvent,
  type StepEnvelope,
  type StepRecord,
} from '@baton/contracts';
import { Routes } from '@baton/messaging';
import {
  CLOCK,
  runService,
  sha256,
  type RunningService,
  type ServiceDefinition,
} from '@baton/service-kit';
import {
  TestKafka,
  dropSchema,
  expectEventually,
  freshSchemaName,
  testDatabaseUrl,
  testKafkaBrokers,
  uniqueTopic,
  type ReadRecord,
} from '@baton/testing';
import { expect } from 'vitest';
import { TestClock } from '@baton/service-kit/testing';
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
  routes: Routes;
  clock: TestClock;
  decisions: ReadRecord[];
  runEvents: ReadRecord[];
  /** Publishes an escalation envelope (with the credit proposal unless told) for a new run. */
  escalate(options?: {
    decision?: DecisionRecord | null;
    reason?: string;
    tenantId?: string;
    history?: StepRecord[];
    /** Another workflow version than billing-dispute@1 (one a test added to the catalog). */
    workflow?: { id: string; version: number };
  }): Promise<StepEnvelope<'escalation'>>;
  publish(envelope: StepEnvelope<'escalation'>): Promise<void>;
  /** Publishes a run event on the run-events topic (as another service would). */
  publishRunEvent(event: RunEvent): Promise<void>;
  /** Publishes an executed write on the effects topic (as the action service does). */
  publishEffect(effect: EffectRecord): Promise<void>;
  /** Waits for the task of an escalation (its `step.finished` names it). */
  taskIdOf(envelope: StepEnvelope<'escalation'>): Promise<string>;
  decisionsOf(runId: string): StepEnvelope<'decision'>[];
  eventsOf(runId: string, type?: RunEvent['type']): RunEvent[];
  api(
    method: 'GET' | 'POST',
    path: string,
    key?: string,
    body?: unknown,
  ): Promise<{ status: number; body: Record<string, unknown> }>;
  close(): Promise<void>;
}

/**
 * Creates the installation's topics before the service starts, as the platform does. The kit's
 * own `ensureTopics` asks kafkajs to wait for leaders, which fails with "This server does not
 * host this topic-partition" when two suites create topics at once; this waits on metadata.
 */
async function provisionTopics(kafka: TestKafka, prefix: string): Promise<void> {
  const names = topicNames(prefix);
  const topics = allTopics(names);
  const admin = kafka.kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({
      waitForLeaders: false,
      topics: topics.map((topic) => ({
        topic,
        numPartitions: 3,
        configEntries:
          topic === names.workflowDefinitions ? [{ name: 'cleanup.policy', value: 'compact' }] : [],
      })),
    });
    await expectEventually(
      async () => {
        const metadata = await admin.fetchTopicMetadata({ topics });
        const ready = metadata.topics.every(
          (t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0),
        );
        expect(ready).toBe(true);
      },
      { intervalMs: 100 },
    );
  } finally {
    await admin.disconnect();
  }
}

/** `env`: settings of this instance beside the fixture's (they win over them). */
export async function startEscalation(
  options: { env?: Record<string, string> } = {},
): Promise<EscalationFixture> {
  process.env['LOG_LEVEL'] ??= 'error';
  const prefix = `${uniqueTopic('esc')}.`;
  const schemaPrefix = `${freshSchemaName('esc')}_`;
  const clock = new TestClock();
  const definition: ServiceDefinition = {
    ...escalationService,
    defaultPort: 0, // the kit reads PORT=0 as "the default port": 0 here makes it ephemeral
    providers: async (context) => [
      ...((await escalationService.providers?.(context)) ?? []),
      { provide: CLOCK, useValue: clock },
    ],
  };
  const apiKeys = [
    ...Object.entries(KEYS).map(([role, key]) => [`${role}-user`, role, key]),
    ['other-reviewer', 'reviewer', OTHER_REVIEWER_KEY],
  ]
    .map(([name, role, key]) => `${name}:${role}:${sha256(key!).toString('hex')}`)
    .join(',');
  const kafka = new TestKafka();
  await provisionTopics(kafka, prefix);
  const service = await runService(definition, {
    ...process.env,
    KAFKA_BROKERS: testKafkaBrokers().join(','),
    DATABASE_URL: testDatabaseUrl(),
    BATON_TOPIC_PREFIX: prefix,
    BATON_SCHEMA_PREFIX: schemaPrefix,
    PORT: '0',
    HOST: '127.0.0.1',
    BATON_API_KEYS: apiKeys,
    BATON_OUTBOX_SWEEP_INTERVAL_MS: '500',
    BATON_DRAIN_TIMEOUT_MS: '5000',
    ...options.env,
  }).catch(async (error: unknown) => {
    // A start that failed half-way may have created the schema: leave nothing behind.
    await kafka.close();
    await dropSchema(`${schemaPrefix}escalation`);
    throw error;
  });
  const routes = new Routes(prefix);
  const decisions = await kafka.read(routes.names.steps.decision);
  const runEvents = await kafka.read(routes.names.runEvents);
  const parse = <T>(records: ReadRecord[]) =>
    records.map((record) => JSON.parse(record.value!.toString()) as T);

  const publish = (envelope: StepEnvelope<'escalation'>) =>
    kafka.produce(routes.names.steps.escalation, [
      { key: envelope.runId, value: JSON.stringify(envelope) },
    ]);
  const publishRunEvent = (event: RunEvent) =>
    // A run's end reaches the step services on the run-ended topic, as the run ledger relays it.
    kafka.produce(event.type === 'run.ended' ? routes.names.runEnded : routes.names.runEvents, [
      { key: event.runId, value: JSON.stringify(event) },
    ]);
  const publishEffect = (effect: EffectRecord) =>
    kafka.produce(routes.names.effects, [{ key: effect.runId, value: JSON.stringify(effect) }]);
  const eventsOf = (runId: string, type?: RunEvent['type']) =>
    parse<RunEvent>(runEvents).filter((e) => e.runId === runId && (!type || e.type === type));

  return {
    service,
    routes,
    clock,
    decisions,
    runEvents,
    publish,
    publishRunEvent,
    publishEffect,
    eventsOf,
    async escalate({
      decision = creditProposal,
      reason = 'credits above 100 need a reviewer',
      tenantId = 'acme',
      history = [],
      workflow,
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
      await publish(envelope);
      return envelope;
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
    decisionsOf: (runId) =>
      parse<StepEnvelope<'decision'>>(decisions).filter((envelope) => envelope.runId === runId),
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
    async close() {
      await service.close();
      await kafka.close();
      await dropSchema(`${schemaPrefix}escalation`);
    },
  };
}
