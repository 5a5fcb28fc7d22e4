import {
  Kafka,
  Partitioners,
  logLevel,
  type Admin,
  type Consumer,
  type KafkaMessage,
  type LogEntry,
  type Producer,
} from 'kafkajs';
import { observeConsumer, type Logger } from '@baton/telemetry';
import { KeyedScheduler } from './keyed-scheduler.js';
import { PartitionOffsets } from './partition-offsets.js';
import type {
  InboundRecord,
  MessageTransport,
  OutboundRecord,
  PartitionRange,
  SubscribeOptions,
  Subscription,
  SubscriptionStats,
  TopicSpec,
} from './transport.js';
import type { KafkaSecurity } from './kafka-security.js';

export interface KafkaTransportOptions {
  brokers: string[];
  clientId: string;
  logger: Logger;
  /** A member that sends no heartbeat for this long is removed from its group. */
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  /** How long a fetch waits for data when there is none (kafkajs defaults to 5000). */
  maxWaitTimeMs?: number;
  /** Partitions for topics this transport creates. */
  partitions?: number;
  replicationFactor?: number;
  connectionTimeoutMs?: number;
  requestTimeoutMs?: number;
  /** TLS and SASL (kafkaSecurity): none for a plaintext broker. */
  security?: KafkaSecurity;
}

const DEFAULTS = {
  sessionTimeoutMs: 30_000,
  heartbeatIntervalMs: 3_000,
  maxWaitTimeMs: 100,
  partitions: 6,
  replicationFactor: 1,
  connectionTimeoutMs: 3_000,
  requestTimeoutMs: 30_000,
  security: {},
};

/**
 * Kafka through kafkajs. Records are handed to a keyed scheduler as soon as they are
 * fetched, so handling is parallel across runs (keys) even inside one partition, and
 * offsets are committed manually, only up to the lowest record not yet finished.
 */
export class KafkaTransport implements MessageTransport {
  readonly name = 'kafka';
  private readonly kafka: Kafka;
  private readonly producer: Producer;
  private readonly admin: Admin;
  private readonly options: Required<KafkaTransportOptions>;
  private readonly subscriptions = new Set<KafkaSubscription>();
  private connected: Promise<void> | undefined;

  constructor(options: KafkaTransportOptions) {
    this.options = { ...DEFAULTS, ...options };
    const logger = options.logger.child({ component: 'kafkajs' });
    this.kafka = new Kafka({
      clientId: options.clientId,
      brokers: options.brokers,
      ...this.options.security,
      connectionTimeout: this.options.connectionTimeoutMs,
      requestTimeout: this.options.requestTimeoutMs,
      retry: { initialRetryTime: 100, retries: 8, maxRetryTime: 5_000 },
      logLevel: logLevel.WARN,
      logCreator: () => (entry: LogEntry) => {
        const { message, ...rest } = entry.log;
        const line = { namespace: entry.namespace, ...rest };
        if (entry.level <= logLevel.ERROR) logger.error(line, message);
        else logger.warn(line, message);
      },
    });
    // Sends are not held back: kafkajs sends each batch when asked (there is no linger).
    this.producer = this.kafka.producer({
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    this.admin = this.kafka.admin();
  }

  connect(): Promise<void> {
    this.connected ??= Promise.all([this.producer.connect(), this.admin.connect()]).then(
      () => undefined,
    );
    return this.connected;
  }

  async publish(records: OutboundRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.connect();
    const byTopic = new Map<string, OutboundRecord[]>();
    for (const record of records) {
      const list = byTopic.get(record.topic) ?? [];
      list.push(record);
      byTopic.set(record.topic, list);
    }
    await this.producer.sendBatch({
      acks: -1,
      topicMessages: [...byTopic].map(([topic, list]) => ({
        topic,
        messages: list.map((r) => ({ key: r.key, value: r.value, headers: r.headers ?? {} })),
      })),
    });
  }

  async ensureTopics(topics: TopicSpec[]): Promise<void> {
    await this.connect();
    const existing = new Set(await this.admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t.topic));
    if (missing.length === 0) return;
    try {
      // Leaders are awaited below through metadata: kafkajs' own wait fails while another
      // client creates the same topics.
      await this.admin.createTopics({
        waitForLeaders: false,
        topics: missing.map((t) => ({
          topic: t.topic,
          numPartitions: t.partitions ?? this.options.partitions,
          replicationFactor: this.options.replicationFactor,
          configEntries: [
            ...(t.compacted ? [{ name: 'cleanup.policy', value: 'compact' }] : []),
            ...(t.retentionMs ? [{ name: 'retention.ms', value: String(t.retentionMs) }] : []),
          ],
        })),
      });
    } catch (error) {
      // Another service instance created them first: that is the outcome we wanted.
      if (!onlyAlreadyExists(error)) throw error;
    }
    // A new topic's leader is elected before every broker's metadata cache knows it; a
    // consumer subscribing in between fails with UNKNOWN_TOPIC_OR_PARTITION. Wait it out.
    const names = missing.map((t) => t.topic);
    for (let attempt = 1; ; attempt++) {
      try {
        const { topics: described } = await this.admin.fetchTopicMetadata({ topics: names });
        if (
          described.every(
            (t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0),
          )
        )
          return;
      } catch (error) {
        if (attempt >= 100) throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async ping(): Promise<void> {
    await this.connect();
    await this.admin.describeCluster();
  }

  async endOffsets(topic: string): Promise<PartitionRange[]> {
    await this.connect();
    // Right after a topic is created, its leaders may not be known everywhere yet
    // (NOT_LEADER_FOR_PARTITION): such errors are retriable, for a few seconds.
    for (let attempt = 1; ; attempt++) {
      try {
        const offsets = await this.admin.fetchTopicOffsets(topic);
        return offsets.map((o) => ({ partition: o.partition, start: o.low, end: o.high }));
      } catch (error) {
        if (!(error as { retriable?: boolean }).retriable || attempt >= 50) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  }

  async subscribe(options: SubscribeOptions): Promise<Subscription> {
    await this.connect();
    const subscription = new KafkaSubscription(this.kafka, this.options, options, this.admin);
    await subscription.start();
    this.subscriptions.add(subscription);
    subscription.onStopped(() => this.subscriptions.delete(subscription));
    return subscription;
  }

  async close(): Promise<void> {
    await Promise.all([...this.subscriptions].map((s) => s.stop()));
    if (this.connected) {
      await Promise.allSettled([this.producer.disconnect(), this.admin.disconnect()]);
      this.connected = undefined;
    }
  }
}

class KafkaSubscription implements Subscription {
  private readonly consumer: Consumer;
  private readonly scheduler: KeyedScheduler;
  private readonly abort = new AbortController();
  /** Offsets per `topic:partition`, replaced on every group (re)join. */
  private trackers = new Map<string, PartitionOffsets>();
  private groupJoins = 0;
  private commitTimer: NodeJS.Immediate | undefined;
  private committing: Promise<void> | undefined;
  private commitAgain = false;
  private stopping: Promise<void> | undefined;
  private readonly stoppedCallbacks: Array<() => void> = [];
  /** Per `topic:partition`, the lag at its last fetched batch, for the metrics. */
  private readonly lag = new Map<string, { topic: string; partition: number; lag: number }>();
  private readonly stopObserving: () => void;

  constructor(
    kafka: Kafka,
    private readonly transport: Required<KafkaTransportOptions>,
    private readonly options: SubscribeOptions,
    private readonly admin: Admin,
  ) {
    this.consumer = kafka.consumer({
      groupId: options.groupId,
      sessionTimeout: transport.sessionTimeoutMs,
      heartbeatInterval: transport.heartbeatIntervalMs,
      maxWaitTimeInMs: transport.maxWaitTimeMs,
      allowAutoTopicCreation: false,
    });
    this.scheduler = new KeyedScheduler(options.concurrency, options.maxBuffered);
    this.consumer.on(this.consumer.events.END_BATCH_PROCESS, ({ payload }) =>
      this.lag.set(`${payload.topic}:${payload.partition}`, {
        topic: payload.topic,
        partition: payload.partition,
        lag: Number(payload.offsetLag),
      }),
    );
    this.stopObserving = observeConsumer(options.groupId, () => ({
      inFlight: this.scheduler.stats.running,
      limit: options.concurrency,
      lag: [...this.lag.values()],
    }));
    this.consumer.on(this.consumer.events.GROUP_JOIN, () => {
      // Work begun under the previous assignment may still finish, but its offsets are no
      // longer ours to commit: redelivery plus the inbox make that safe.
      this.groupJoins += 1;
      this.trackers = new Map();
    });
  }

  get stats(): SubscriptionStats {
    return { ...this.scheduler.stats, groupJoins: this.groupJoins };
  }

  onStopped(callback: () => void): void {
    this.stoppedCallbacks.push(callback);
  }

  async start(): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({
      topics: this.options.topics,
      fromBeginning: this.options.fromBeginning ?? true,
    });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
        const partitionKey = `${batch.topic}:${batch.partition}`;
        for (const message of batch.messages) {
          // Wait for room without missing heartbeats: a full buffer must not cost the group.
          while (!this.scheduler.hasCapacity() && isRunning() && !isStale()) {
            await this.scheduler.waitForCapacity(this.transport.heartbeatIntervalMs);
            await heartbeat();
          }
          if (!isRunning() || isStale() || this.abort.signal.aborted) return;
          let tracker = this.trackers.get(partitionKey);
          if (!tracker) {
            tracker = new PartitionOffsets();
            this.trackers.set(partitionKey, tracker);
          }
          tracker.begin(message.offset);
          const record = toRecord(batch.topic, batch.partition, message);
          const offsets = tracker;
          this.scheduler.submit(record.key ?? `${partitionKey}@${message.offset}`, async () => {
            if (await this.runToCompletion(record)) {
              offsets.finish(message.offset);
              this.scheduleCommit();
            }
          });
          resolveOffset(message.offset);
        }
      },
    });
  }

  /** True when the record finished; false when shutdown interrupted it (it is redelivered). */
  private async runToCompletion(record: InboundRecord): Promise<boolean> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.options.handler(record, this.abort.signal);
        return true;
      } catch (error) {
        // The handler dead-letters what it cannot handle; a throw means "not finished".
        if (this.abort.signal.aborted) return false;
        const delayMs = Math.min(100 * 2 ** attempt, 5_000);
        this.transport.logger.warn(
          {
            err: error,
            topic: record.topic,
            partition: record.partition,
            offset: record.offset,
            attempt,
            delayMs,
          },
          'record not finished; handling it again (its partition waits)',
        );
        await new Promise((resolve) => setTimeout(resolve, delayMs));
      }
    }
  }

  private scheduleCommit(): void {
    this.commitTimer ??= setImmediate(() => {
      this.commitTimer = undefined;
      void this.commit();
    });
  }

  private commit(): Promise<void> {
    if (this.committing) {
      this.commitAgain = true;
      return this.committing;
    }
    this.committing = (async () => {
      do {
        this.commitAgain = false;
        const pending: Array<{
          topic: string;
          partition: number;
          offset: string;
          tracker: PartitionOffsets;
        }> = [];
        for (const [key, tracker] of this.trackers) {
          const offset = tracker.committable();
          if (offset === null) continue;
          const at = key.lastIndexOf(':');
          pending.push({
            topic: key.slice(0, at),
            partition: Number(key.slice(at + 1)),
            offset,
            tracker,
          });
        }
        if (pending.length === 0) continue;
        try {
          await this.consumer.commitOffsets(
            pending.map(({ topic, partition, offset }) => ({ topic, partition, offset })),
          );
          for (const p of pending) p.tracker.markCommitted(p.offset);
        } catch {
          // A rebalance in progress rejects commits; the next finish (or redelivery) retries.
        }
      } while (this.commitAgain);
    })().finally(() => {
      this.committing = undefined;
    });
    return this.committing;
  }

  stop(drainTimeoutMs = 30_000): Promise<void> {
    this.stopping ??= (async () => {
      try {
        this.consumer.pause(this.options.topics.map((topic) => ({ topic })));
      } catch {
        // Never running (its group join failed): there is nothing to pause.
      }
      // In-flight records may finish; none starts another retry.
      this.abort.abort();
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        this.scheduler.idle(),
        new Promise((resolve) => (timer = setTimeout(resolve, drainTimeoutMs))),
      ]);
      clearTimeout(timer);
      await this.commit();
      await this.consumer.disconnect();
      if (this.options.ephemeral) await this.deleteGroup();
      this.stopObserving();
      this.stoppedCallbacks.forEach((callback) => callback());
    })();
    return this.stopping;
  }

  /** A per-instance group is of no use once its member left; the broker would keep it for days. */
  private async deleteGroup(): Promise<void> {
    try {
      await this.admin.deleteGroups([this.options.groupId]);
    } catch {
      // Best effort: the broker expires an empty group's offsets (offsets.retention.minutes).
    }
  }
}

function toRecord(topic: string, partition: number, message: KafkaMessage): InboundRecord {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    if (value === undefined) continue;
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) headers[name] = first.toString();
  }
  return {
    topic,
    partition,
    offset: message.offset,
    key: message.key ? message.key.toString() : null,
    value: message.value,
    headers,
    timestamp: Number(message.timestamp),
  };
}

function onlyAlreadyExists(error: unknown): boolean {
  const nested = (error as { errors?: unknown[] }).errors;
  const all = Array.isArray(nested) && nested.length > 0 ? nested : [error];
  return all.every((e) => (e as { type?: string }).type === 'TOPIC_ALREADY_EXISTS');
}
