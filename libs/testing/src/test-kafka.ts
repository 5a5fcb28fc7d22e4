import { Kafka, Partitioners, logLevel, type Consumer, type Producer } from 'kafkajs';
import { RecordSigner, SIGNATURE_HEADER } from '@baton/contracts';
import { testKafkaBrokers, testSigningKey } from './infra/environment.js';

/** A record read back from a topic. */
export interface ReadRecord {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string>;
  timestamp: number;
}

let counter = 0;

/** Unique topic names per test, so suites never see each other's records. */
export function uniqueTopic(label: string): string {
  counter += 1;
  return `test.${label}.${process.pid}.${counter}.${Math.random().toString(36).slice(2, 7)}`;
}

/** A plain kafkajs client for tests: create topics, produce raw records, read topics. */
export class TestKafka {
  readonly kafka = new Kafka({
    clientId: 'baton-tests',
    brokers: testKafkaBrokers(),
    logLevel: logLevel.ERROR,
  });
  private producer: Promise<Producer> | undefined;
  private readonly consumers: Consumer[] = [];

  /** Creates the topic and its dead-letter topic (`<topic>.dlq`), and waits for their leaders. */
  async createTopic(topic: string, partitions = 1): Promise<string> {
    const admin = this.kafka.admin();
    await admin.connect();
    const names = [topic, `${topic}.dlq`];
    try {
      // kafkajs' own leader wait fails while other suites create topics on the same broker.
      await admin.createTopics({
        waitForLeaders: false,
        topics: names.map((name) => ({ topic: name, numPartitions: partitions })),
      });
      for (let attempt = 1; ; attempt++) {
        try {
          const { topics } = await admin.fetchTopicMetadata({ topics: names });
          if (
            topics.every(
              (t) => t.partitions.length === partitions && t.partitions.every((p) => p.leader >= 0),
            )
          )
            break;
        } catch (error) {
          if (attempt >= 100) throw error;
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    } finally {
      await admin.disconnect();
    }
    return topic;
  }

  /**
   * Produces raw records, signed with the services' key (BATON_SIGNING_KEY) as a Baton service
   * would sign them, unless `signed: false` (a record from outside the deployment). A record
   * that brings its own `baton-signature` header keeps it.
   */
  async produce(
    topic: string,
    messages: Array<{
      key?: string | null;
      value: string | Buffer | null;
      headers?: Record<string, string>;
    }>,
    options: { signed?: boolean } = {},
  ): Promise<void> {
    const signer = options.signed === false ? undefined : new RecordSigner([testSigningKey()]);
    const records = messages.map((message) => {
      if (!signer || message.headers?.[SIGNATURE_HEADER] !== undefined) return message;
      const signature = signer.sign({ topic, key: message.key ?? null, value: message.value });
      return { ...message, headers: { ...message.headers, [SIGNATURE_HEADER]: signature } };
    });
    // One producer, connected once, however many sends start at the same time.
    this.producer ??= (async () => {
      const producer = this.kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
      await producer.connect();
      return producer;
    })();
    await (await this.producer).send({ topic, acks: -1, messages: records });
  }

  /** Collects every record of `topic` from the beginning, live, into the returned array. */
  async read(topic: string): Promise<ReadRecord[]> {
    const records: ReadRecord[] = [];
    const consumer = this.kafka.consumer({
      groupId: `reader-${uniqueTopic('g')}`,
      maxWaitTimeInMs: 100,
    });
    this.consumers.push(consumer);
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(message.headers ?? {}))
          if (v !== undefined) headers[k] = String(Array.isArray(v) ? v[0] : v);
        records.push({
          topic,
          partition,
          offset: message.offset,
          key: message.key?.toString() ?? null,
          value: message.value,
          headers,
          timestamp: Number(message.timestamp),
        });
      },
    });
    return records;
  }

  async close(): Promise<void> {
    await Promise.allSettled([
      ...this.consumers.map((c) => c.disconnect()),
      this.producer?.then((producer) => producer.disconnect()),
    ]);
  }
}
