import fc from 'fast-check';
import {
  DEAD_LETTER_SUFFIX,
  aContextEnvelope,
  allTopics,
  deadLetterTopic,
  topicNames,
} from '@baton/contracts';
import {
  TestKafka,
  expectEventually,
  hostileJson,
  hostileKeys,
  type ReadRecord,
} from '@baton/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BatonClient, creditDecision, disputeEvent } from './support/baton-client.js';
import { BatonSystem, SERVICES } from './support/baton-system.js';

const SEED = Number(process.env['BATON_PROPERTY_SEED'] ?? 20261204);
const PER_TOPIC = 1_200; // × 9 topics: 10,800 records

const keys = hostileKeys(['step', 'payload', 'workflow', 'runId', 'kind']);
const json = hostileJson(keys);
const envelope = aContextEnvelope() as unknown as Record<string, unknown>;
const without = (field: string) => {
  const copy = { ...envelope };
  delete copy[field];
  return JSON.stringify(copy);
};
/** A record value that no consumer can take: not JSON, the wrong shape, or a broken envelope. */
const badValue = fc.oneof(
  fc.string({ maxLength: 40, unit: 'binary' }),
  json.map((value) => JSON.stringify(value)),
  fc
    .dictionary(keys, json, { maxKeys: 6 })
    .map((value) => JSON.stringify({ ...envelope, ...value, schemaVersion: 1, envelopeId: 'x' })),
  fc.constantFrom('step', 'payload', 'workflow', 'budget', 'runId').map(without),
  fc
    .integer({ min: 65, max: 3_000 })
    .map((depth) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`),
  fc.constant(JSON.stringify({ ...envelope, schemaVersion: 99 })),
);

describe('10,800 hostile records across every topic, six services over Kafka', () => {
  const system = new BatonSystem();
  const api = new BatonClient(system);
  const kafka = new TestKafka();

  beforeAll(async () => {
    await system.start();
  }, 180_000);
  afterAll(async () => {
    await kafka.close();
    await system.stop();
  }, 60_000);

  it('dead-letters every one with a reason, commits past them all, and a valid run completes afterwards', async () => {
    const names = topicNames(system.topicPrefix);
    // Every topic but the dead-letter topics and the workflow registry (read at start only).
    const topics = allTopics(names).filter(
      (topic) => !topic.endsWith(DEAD_LETTER_SUFFIX) && topic !== names.workflowDefinitions,
    );
    const deadLetters = new Map<string, ReadRecord[]>();
    for (const topic of topics) deadLetters.set(topic, await kafka.read(deadLetterTopic(topic)));

    const sent = new Map<string, number>();
    for (const [index, topic] of topics.entries()) {
      const values = fc.sample(badValue, { numRuns: PER_TOPIC, seed: SEED + index });
      // A third unsigned (written by something outside the deployment), the rest signed, so
      // both the signature check and the decoder see them; the ingress topic is public.
      const records = values.map((value, i) => ({
        key: `bad-${index}-${i}`,
        value,
        unsigned: i % 3 === 0,
      }));
      for (let i = 0; i < records.length; i += 400) {
        const batch = records.slice(i, i + 400);
        await kafka.produce(
          topic,
          batch.filter((r) => r.unsigned).map(({ key, value }) => ({ key, value })),
          {
            signed: false,
          },
        );
        await kafka.produce(
          topic,
          batch.filter((r) => !r.unsigned).map(({ key, value }) => ({ key, value })),
        );
      }
      sent.set(topic, records.length);
    }

    // Every record dead-lettered, each with a reason, on every topic's own dead-letter topic.
    await expectEventually(
      () => {
        for (const topic of topics) {
          const dead = new Set(deadLetters.get(topic)!.map((r) => r.key));
          expect(dead.size, topic).toBe(sent.get(topic));
        }
      },
      { timeoutMs: 240_000, intervalMs: 1_000 },
    );
    for (const topic of topics)
      for (const record of deadLetters.get(topic)!) {
        expect(['invalid-message', 'unsigned']).toContain(record.headers['baton-dlq-reason']);
        expect(JSON.parse(record.headers['baton-dlq-errors']!).length).toBeGreaterThan(0);
      }

    // Every consumer group has committed past every record of every topic it reads: no lag.
    const admin = kafka.kafka.admin();
    await admin.connect();
    try {
      await expectEventually(
        async () => {
          const committedTo = new Set<string>();
          for (const service of SERVICES) {
            const groupId = `${system.topicPrefix}${service}`;
            for (const { topic, partitions } of await admin.fetchOffsets({ groupId, topics })) {
              if (partitions.every((p) => p.offset === '-1')) continue; // not its topic
              const ends = await admin.fetchTopicOffsets(topic);
              for (const end of ends) {
                const committed = partitions.find((p) => p.partition === end.partition)?.offset;
                expect(committed === '-1' ? end.low : committed, `${groupId} ${topic}`).toBe(
                  end.high,
                );
              }
              committedTo.add(topic);
            }
          }
          expect([...committedTo].sort()).toEqual([...topics].sort());
        },
        { timeoutMs: 60_000, intervalMs: 1_000 },
      );
    } finally {
      await admin.disconnect();
    }

    system.model.reply(creditDecision('inv_2002', 9));
    const started = await api.trigger(
      disputeEvent({ customerId: 'cus_1001', message: 'Charged twice, please refund $9.' }),
    );
    expect(started.status).toBe(202);
    const done = await api.waitForRun(started.body['runId'] as string, [
      'completed',
      'failed',
      'rejected',
    ]);
    expect(done.status).toBe('completed');
  }, 600_000);
});
