/** A record as it came off a topic: nothing about it is trusted yet. */
export interface InboundRecord {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string>;
  /** Broker timestamp, epoch milliseconds. */
  timestamp: number;
}

export interface OutboundRecord {
  topic: string;
  key: string | null;
  value: string | Buffer | null;
  headers?: Record<string, string>;
}

/**
 * Called once per record. It resolves when the record is finished (handled, skipped as a
 * duplicate, or dead-lettered); the transport then counts its offset as done. It rejects
 * only when it could not finish (for instance during shutdown): the record is then not
 * committed and will be delivered again. `shutdown` aborts when the subscription stops:
 * the attempt under way may finish, but no new retry should start.
 */
export type RecordHandler = (record: InboundRecord, shutdown: AbortSignal) => Promise<void>;

export interface SubscribeOptions {
  /** Consumer group: every instance of one service shares it. */
  groupId: string;
  topics: string[];
  handler: RecordHandler;
  /** Records handled at once, across partitions; records with one key never overlap. */
  concurrency: number;
  /** Records accepted but not finished (running + waiting behind their key), at most. */
  maxBuffered?: number;
  /** Where a new group starts: the earliest retained record (default) or only new ones. */
  fromBeginning?: boolean;
  /**
   * The group belongs to this one subscription (a per-instance reader such as the workflow
   * registry follower): the transport deletes it when the subscription stops.
   */
  ephemeral?: boolean;
}

/** A partition's offsets: `start` is the first retained record, `end` the next to be written. */
export interface PartitionRange {
  partition: number;
  start: string;
  end: string;
}

export interface SubscriptionStats {
  running: number;
  buffered: number;
  /** Most records ever handled at once. */
  peakRunning: number;
  /** Times this member (re)joined its group. */
  groupJoins: number;
}

export interface Subscription {
  readonly stats: SubscriptionStats;
  /** Stops fetching, lets in-flight records finish (up to `drainTimeoutMs`), commits, leaves. */
  stop(drainTimeoutMs?: number): Promise<void>;
}

export interface TopicSpec {
  topic: string;
  partitions?: number;
  /** Log compaction, for keyed latest-value topics such as workflow definitions. */
  compacted?: boolean;
  retentionMs?: number;
}

/** The broker, behind an interface: Kafka in production, in-process for tests and embedded mode. */
export interface MessageTransport {
  readonly name: string;
  connect(): Promise<void>;
  publish(records: OutboundRecord[]): Promise<void>;
  subscribe(options: SubscribeOptions): Promise<Subscription>;
  /** Creates missing topics; existing ones are left as they are. */
  ensureTopics(topics: TopicSpec[]): Promise<void>;
  /** Each partition's offsets now: a reader that has handled up to `end - 1` has caught up. */
  endOffsets(topic: string): Promise<PartitionRange[]>;
  /** Rejects when the broker cannot be reached (readiness). */
  ping(): Promise<void>;
  close(): Promise<void>;
}
