import { KeyedScheduler } from './keyed-scheduler.js';
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

interface Group {
  options: SubscribeOptions;
  scheduler: KeyedScheduler;
  abort: AbortController;
}

/**
 * Topics in memory, for unit tests and the single-process (embedded) mode. Same contract
 * as Kafka: each consumer group sees every record once, records with one key in order,
 * different keys in parallel up to the group's concurrency. Nothing survives the process.
 */
export class InProcessTransport implements MessageTransport {
  readonly name = 'in-process';
  private readonly logs = new Map<string, InboundRecord[]>();
  private readonly groups = new Map<string, Group>();
  private closed = false;

  async connect(): Promise<void> {}

  async ensureTopics(topics: TopicSpec[]): Promise<void> {
    for (const { topic } of topics) if (!this.logs.has(topic)) this.logs.set(topic, []);
  }

  async ping(): Promise<void> {
    if (this.closed) throw new Error('in-process transport is closed');
  }

  async endOffsets(topic: string): Promise<PartitionRange[]> {
    const log = this.logs.get(topic);
    if (!log) throw new Error(`topic ${topic} does not exist`);
    return [{ partition: 0, start: '0', end: String(log.length) }];
  }

  async publish(records: OutboundRecord[]): Promise<void> {
    if (this.closed) throw new Error('in-process transport is closed');
    for (const record of records) {
      const log = this.logs.get(record.topic);
      if (!log) throw new Error(`topic ${record.topic} does not exist`);
      const inbound: InboundRecord = {
        topic: record.topic,
        partition: 0,
        offset: String(log.length),
        key: record.key,
        value: record.value === null ? null : Buffer.from(record.value),
        headers: { ...record.headers },
        timestamp: Date.now(),
      };
      log.push(inbound);
      for (const group of this.groups.values()) {
        if (group.options.topics.includes(record.topic)) this.deliver(group, inbound);
      }
    }
  }

  async subscribe(options: SubscribeOptions): Promise<Subscription> {
    if (this.groups.has(options.groupId)) {
      throw new Error(`group ${options.groupId} already has a member in this process`);
    }
    const group: Group = {
      options,
      scheduler: new KeyedScheduler(options.concurrency, options.maxBuffered),
      abort: new AbortController(),
    };
    this.groups.set(options.groupId, group);
    if (options.fromBeginning ?? true) {
      for (const topic of options.topics)
        for (const record of this.logs.get(topic) ?? []) this.deliver(group, record);
    }
    const groups = this.groups;
    return {
      get stats(): SubscriptionStats {
        return { ...group.scheduler.stats, groupJoins: 1 };
      },
      // No broker keeps what is not finished, so stopping drains everything accepted (within
      // the drain timeout) instead of leaving it for redelivery.
      async stop(drainTimeoutMs = 30_000) {
        groups.delete(options.groupId);
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          group.scheduler.idle(),
          new Promise((resolve) => (timer = setTimeout(resolve, drainTimeoutMs))),
        ]);
        clearTimeout(timer);
        group.abort.abort();
      },
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const group of this.groups.values()) group.abort.abort();
    await Promise.all([...this.groups.values()].map((g) => g.scheduler.idle()));
    this.groups.clear();
  }

  private deliver(group: Group, record: InboundRecord): void {
    // No broker to push back on: memory is the buffer, so the buffer limit does not apply.
    group.scheduler.submit(record.key ?? `${record.topic}@${record.offset}`, async () => {
      for (let attempt = 1; !group.abort.signal.aborted; attempt++) {
        try {
          await group.options.handler(record, group.abort.signal);
          return;
        } catch {
          await new Promise((resolve) => setTimeout(resolve, Math.min(100 * 2 ** attempt, 5_000)));
        }
      }
    });
  }

  /** Records on a topic, for tests and tools. */
  records(topic: string): readonly InboundRecord[] {
    return this.logs.get(topic) ?? [];
  }
}
