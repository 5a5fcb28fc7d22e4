import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { DataSource, EntityManager } from 'typeorm';
import { RecordSigner, deadLetterTopic } from '@baton/contracts';
import { observeOutbox, type Logger } from '@baton/telemetry';
import type { MessagingConfig } from './messaging.config.js';
import {
  MessagePipeline,
  encodeWithTrace,
  type MessageHandler,
  type MessagePreparer,
  type PipelineOptions,
  type Route,
} from './pipeline/message-pipeline.js';
import { DeadLetters } from './pipeline/dead-letter.js';
import { Inbox } from './store/inbox.js';
import { Outbox, type OutboxRow } from './store/outbox.js';
import type {
  MessageTransport,
  RecordHandler,
  Subscription,
  TopicSpec,
} from './transport/transport.js';

const tracer = trace.getTracer('@baton/messaging');

export interface MessagingRuntimeOptions {
  /** Consumer group and inbox name: the service name. */
  consumer: string;
  transport: MessageTransport;
  dataSource: DataSource;
  logger: Logger;
  config: MessagingConfig;
  /** Awaited for each valid message before its transaction opens (see PipelineOptions). */
  beforeHandle?: (message: unknown) => Promise<void>;
  /** Awaited after a valid message was dead-lettered (see PipelineOptions). */
  afterDeadLetter?: PipelineOptions['afterDeadLetter'];
}

/**
 * For `transaction` calls that answer a person or a system (HTTP): resolve at commit, and
 * publish what was emitted in the background (see MessagingRuntime.transaction).
 */
export const ANSWER_AT_COMMIT = { awaitPublish: false } as const;

/** A transaction that may also emit messages, published once it commits. */
export interface OutboxTransaction {
  readonly manager: EntityManager;
  emit<T>(route: Route<T>, message: T): void;
}

/**
 * One service's messaging: its handlers (one per topic), its consumer group, its inbox and
 * outbox, and its dead letters. `start` subscribes; `stop` drains, commits and leaves.
 */
export class MessagingRuntime {
  readonly outbox: Outbox;
  /** Signs what this service writes and checks what it reads (BATON_SIGNING_KEY), if set. */
  readonly signer: RecordSigner | undefined;
  private readonly pipeline: MessagePipeline;
  private readonly handlers = new Map<string, RecordHandler>();
  /** Topics whose records hold a pooled connection the whole time they are in flight. */
  private readonly holdingRoutes = new Set<string>();
  private subscription: Subscription | undefined;
  private pruneTimer: NodeJS.Timeout | undefined;
  private stopObservingOutbox: (() => void) | undefined;

  constructor(private readonly options: MessagingRuntimeOptions) {
    const { config, transport, dataSource, logger, consumer } = options;
    const signer = RecordSigner.fromSetting(config.signingKey);
    this.signer = signer;
    this.outbox = new Outbox(
      dataSource,
      transport,
      logger,
      {
        sweepIntervalMs: config.outboxSweepIntervalMs,
        sweepGraceMs: config.outboxSweepGraceMs,
        sweepBatchSize: 500,
      },
      signer,
    );
    this.pipeline = new MessagePipeline({
      consumer,
      dataSource,
      outbox: this.outbox,
      deadLetters: new DeadLetters(transport, consumer, logger),
      retry: {
        maxAttempts: config.retryMaxAttempts,
        initialDelayMs: config.retryInitialDelayMs,
        maxDelayMs: config.retryMaxDelayMs,
      },
      logger,
      messagingSystem: transport.name === 'kafka' ? 'kafka' : 'baton.in-process',
      ...(options.beforeHandle ? { beforeHandle: options.beforeHandle } : {}),
      ...(options.afterDeadLetter ? { afterDeadLetter: options.afterDeadLetter } : {}),
      ...(signer ? { signer } : {}),
    });
  }

  get stats() {
    return this.subscription?.stats;
  }

  get transport(): MessageTransport {
    return this.options.transport;
  }

  /**
   * Registers the handler of a route, run in the transaction that claims each message; with
   * `prepare`, a prepare phase before that transaction whose result is the handler's
   * `ctx.prepared` (slow work that must hold no connection: see MessagePreparer).
   */
  on<T, P = unknown>(
    route: Route<T>,
    handler: MessageHandler<T, P>,
    prepare?: MessagePreparer<T, P>,
  ): this {
    if (this.subscription) throw new Error('handlers must be registered before start()');
    if (this.handlers.has(route.topic))
      throw new Error(`a handler for ${route.topic} is already registered`);
    this.handlers.set(route.topic, this.pipeline.handlerFor(route, handler, prepare));
    // A record of this route holds a connection for as long as it is in flight, unless its slow
    // part is prepared outside the transaction or its messages share one (group commit).
    if (!prepare && !route.groupCommit) this.holdingRoutes.add(route.topic);
    return this;
  }

  /** Creates the topics this service reads and dead-letters to (plus `extra`), if missing. */
  async ensureTopics(extra: TopicSpec[] = []): Promise<void> {
    const topics = [...this.handlers.keys()];
    await this.options.transport.ensureTopics([
      ...topics.flatMap((topic) => [{ topic }, { topic: deadLetterTopic(topic) }]),
      ...extra,
    ]);
  }

  async start(): Promise<void> {
    const { transport, config, consumer } = this.options;
    await transport.connect();
    this.outbox.startSweeper();
    this.stopObservingOutbox = observeOutbox(consumer, async () => {
      const rows: Array<{ n: number }> = await this.options.dataSource.query(
        'SELECT count(*)::int AS n FROM outbox',
      );
      return rows[0]?.n ?? 0;
    });
    this.pruneTimer = setInterval(
      () =>
        void Inbox.prune(this.options.dataSource, config.inboxRetentionMs).catch(() => undefined),
      Math.min(config.inboxRetentionMs, 3_600_000),
    );
    this.pruneTimer.unref();
    if (this.handlers.size === 0) return;
    const pool = (this.options.dataSource.options.extra as { max?: number } | undefined)?.max ?? 10;
    if (pool < config.concurrency && this.holdingRoutes.size > 0) {
      this.options.logger.warn(
        { pool, concurrency: config.concurrency, topics: [...this.holdingRoutes] },
        'database pool is smaller than the in-flight limit: each in-flight record holds a connection, so the pool caps concurrency',
      );
    }
    const handlers = this.handlers;
    this.subscription = await transport.subscribe({
      groupId: consumer,
      topics: [...handlers.keys()],
      concurrency: config.concurrency,
      maxBuffered: config.maxBuffered || config.concurrency * 4,
      handler: (record, shutdown) => handlers.get(record.topic)!(record, shutdown),
    });
  }

  /**
   * Runs `work` in a transaction; what it emits is published after commit (outbox). By default
   * the call resolves once that publish is done (or left to the sweeper): sweepers and
   * consumers keep their pace to the broker's. `awaitPublish: false` resolves at commit, for
   * callers that answer someone (an HTTP request): what they emitted is safe in the outbox
   * and goes out in the background, so a slow or absent broker never holds the answer.
   */
  async transaction<R>(
    work: (tx: OutboxTransaction) => Promise<R>,
    spanName = 'baton.transaction',
    options: { awaitPublish?: boolean } = {},
  ): Promise<R> {
    // Messages emitted together (a run's first step and its run.started event) belong to one
    // trace: a span around the work parents their send spans (a child of any active span).
    return tracer.startActiveSpan(spanName, { kind: SpanKind.INTERNAL }, async (span) => {
      try {
        return await this.transactionInSpan(work, options.awaitPublish ?? true);
      } catch (error) {
        span.recordException(error as Error);
        span.setStatus({ code: SpanStatusCode.ERROR });
        throw error;
      } finally {
        span.end();
      }
    });
  }

  private async transactionInSpan<R>(
    work: (tx: OutboxTransaction) => Promise<R>,
    awaitPublish: boolean,
  ): Promise<R> {
    const staged: OutboxRow[] = [];
    const result = await this.options.dataSource.transaction((manager) =>
      work({
        manager,
        emit: (route, message) => staged.push(this.outbox.stage(encodeWithTrace(route, message))),
      }).then(async (value) => {
        await this.outbox.insert(manager, staged);
        return value;
      }),
    );
    // publishCommitted never rejects: a failed send is logged and left to the sweeper.
    const published = this.outbox.publishCommitted(staged);
    if (awaitPublish) await published;
    return result;
  }

  async stop(): Promise<void> {
    clearInterval(this.pruneTimer);
    this.stopObservingOutbox?.();
    await this.subscription?.stop(this.options.config.drainTimeoutMs);
    this.subscription = undefined;
    await this.outbox.stopSweeper();
  }
}
