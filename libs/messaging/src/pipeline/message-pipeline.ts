import { SpanKind, SpanStatusCode, context, trace, type Span } from '@opentelemetry/api';
import type { DataSource, EntityManager } from 'typeorm';
import { SIGNATURE_HEADER, deadLetterTopic, type RecordSigner } from '@baton/contracts';
import {
  MESSAGING_ATTR,
  extractTraceContext,
  injectTraceHeaders,
  safeError,
  type Logger,
  batonMetrics,
  topicAttributes,
} from '@baton/telemetry';
import type { MessageCodec } from '../codec/message-codec.js';
import { Inbox } from '../store/inbox.js';
import type { Outbox, OutboxRow } from '../store/outbox.js';
import type { InboundRecord, RecordHandler } from '../transport/transport.js';
import { DeadLetters, type DeadLetterReason } from './dead-letter.js';
import { GroupCommit, GroupFailed, type GroupOutcome } from './group-commit.js';
import { TransactionBatches } from './transaction-batches.js';
import { PermanentFailure, isUnavailable, retryDelay, type RetryPolicy } from './retry-policy.js';

/** A topic and how its messages are encoded. */
export interface Route<T> {
  topic: string;
  codec: MessageCodec<T>;
  /**
   * Anyone may publish here (the trigger ingress topic, for upstream systems): records need
   * no signature. Every other topic takes only records signed by this deployment's services.
   */
  public?: boolean;
  /**
   * Its handlers are short and touch only the service's database (the run ledger, the
   * ended-runs record): messages that arrive together share one transaction (GroupCommit)
   * instead of one each. A message whose group fails is handled again on its own.
   */
  groupCommit?: boolean;
}

/** Where a record came from, as handlers and preparers see it. */
export type RecordOrigin = Readonly<Pick<InboundRecord, 'topic' | 'partition' | 'offset' | 'key'>>;

/**
 * What a handler gets beside its decoded message. `P` is what the route's preparer returned
 * for this attempt (`prepared`); undefined on routes without one.
 */
export interface HandlerContext<P = unknown> {
  /** The transaction: the handler's writes, its inbox row and its outbox rows commit together. */
  readonly manager: EntityManager;
  readonly record: RecordOrigin;
  /** 1 on the first try, then counts transient-failure retries of this delivery. */
  readonly attempt: number;
  /**
   * What the route's preparer returned for this attempt, before the transaction opened (slow
   * work done holding no connection: the decision step's model call). Undefined without one.
   */
  readonly prepared: P;
  /** Sends a message after this transaction commits (through the outbox). */
  emit<T>(route: Route<T>, message: T): void;
  /**
   * Forgets that this message was handled (its inbox row goes with this transaction): for a
   * handler that did nothing with it and wants a later message with the same id handled, not
   * dropped as a duplicate (the trigger service, for an event its workflow's filters ignore).
   */
  release(): Promise<void>;
  /**
   * This transaction's batch for `key` (made by `create` the first time it is asked for): writes
   * put off to the end of the transaction, so that the messages sharing it (group commit) write
   * them as one multi-row statement. `flush` writes the batch once, after the last handler.
   */
  batch<S>(
    key: string,
    create: () => S,
    flush: (manager: EntityManager, state: S) => Promise<void>,
  ): S;
}

export type MessageHandler<T, P = unknown> = (
  message: T,
  context: HandlerContext<P>,
) => Promise<void>;

/**
 * What a preparer gets: the delivery, and no transaction. It may query the database (each query
 * takes a pooled connection for its own length only) or open short transactions of its own;
 * what it commits is committed whatever the handler does after, so it must be safe to repeat:
 * a retry or a redelivery prepares again.
 */
export interface PrepareContext {
  readonly record: RecordOrigin;
  /** The attempt this preparation is for (as HandlerContext.attempt). */
  readonly attempt: number;
  /**
   * Aborts when the subscription stops. A wait (for admission to a model) should end with it:
   * the preparer then throws, and the record, not finished, is delivered again.
   */
  readonly shutdown: AbortSignal;
  /**
   * Whether this consumer has handled the message already: a read-only look at the inbox, in no
   * transaction. When it has, the handler will not run (and the pipeline does not open its
   * transaction), so the preparer should do nothing slow or costly for it. The inbox claim in the
   * handler's transaction still decides: a delivery racing this one on another instance may
   * prepare too, and only one of them acts.
   */
  alreadyHandled(): Promise<boolean>;
  /**
   * alreadyHandled and a look-up of the preparer's own, in one statement: one round trip and
   * one connection checkout instead of two or more. `sql` is a SELECT of at most one row whose
   * parameters are $1…$n, `params`; its row comes back as JSON (`to_jsonb`: a jsonb column as
   * it is, a timestamp as ISO text), or undefined when it has none.
   */
  alreadyHandledAnd<R extends Record<string, unknown>>(
    sql: string,
    params: unknown[],
  ): Promise<{ handled: boolean; row: R | undefined }>;
}

/**
 * A route's prepare phase: runs for each attempt after decode and `beforeHandle`, before the
 * handler's transaction opens, holding no connection while it waits; its result is the
 * handler's `ctx.prepared`. A throw is the attempt's failure, retried or dead-lettered as a
 * handler's would be.
 */
export type MessagePreparer<T, P> = (message: T, context: PrepareContext) => Promise<P>;

export interface PipelineOptions {
  /** Names this consumer in the inbox and on dead letters; the consumer group id. */
  consumer: string;
  dataSource: DataSource;
  outbox: Outbox;
  deadLetters: DeadLetters;
  retry: RetryPolicy;
  logger: Logger;
  messagingSystem?: string;
  /**
   * Awaited for each valid message before its transaction opens, so a wait here holds no
   * connection (a service waits for a workflow version the registry has not delivered yet).
   */
  beforeHandle?: (message: unknown) => Promise<void>;
  /**
   * Awaited after a valid message was dead-lettered (its handler failed or rejected it), so
   * the service can say so where people look — the run ledger. What it throws is logged.
   */
  afterDeadLetter?: (message: unknown, dead: DeadLettered) => Promise<void>;
  /**
   * Verifies that a record on a non-public route was written by this deployment's services
   * (BATON_SIGNING_KEY). Without one, records are not checked (the in-process transport).
   */
  signer?: RecordSigner;
}

/** A valid message moved to a dead-letter topic: where to, and why. */
export interface DeadLettered {
  /** `<topic>.dlq`: where it lies, to be replayed from once the cause is fixed. */
  topic: string;
  reason: DeadLetterReason;
  errors: string[];
}

const tracer = trace.getTracer('@baton/messaging');

/** Messages per shared transaction, at most (the in-flight limit bounds it first). */
const MAX_GROUP = 100;

/**
 * Everything between a raw record and a handler, the same for every transport:
 * decode and validate once (invalid → dead letter), continue the trace, run the handler
 * in a transaction with its inbox claim and outbox rows, retry transient failures with
 * backoff, dead-letter after the last attempt, publish the outbox after commit.
 */
export class MessagePipeline {
  private group: GroupCommit | undefined;

  constructor(private readonly options: PipelineOptions) {}

  /**
   * The record handler of a route: `handle` runs in the transaction that claims the message;
   * `prepare`, if given, before that transaction on each attempt (see MessagePreparer).
   */
  handlerFor<T, P = unknown>(
    route: Route<T>,
    handle: MessageHandler<T, P>,
    prepare?: MessagePreparer<T, P>,
  ): RecordHandler {
    const steps = { handle, prepare } as Steps<T>;
    return (record, shutdown) => this.process(route, steps, record, shutdown);
  }

  private async process<T>(
    route: Route<T>,
    steps: Steps<T>,
    record: InboundRecord,
    shutdown: AbortSignal,
  ): Promise<void> {
    // Nothing a record holds may throw past here: a throw is "not finished" to the transport,
    // which would deliver the record again and again, holding its partition. What cannot be
    // read is dead-lettered as invalid, with the reason.
    const read = this.isForged(route, record)
      ? {
          ok: false as const,
          unsigned: true as const,
          errors: [
            `(root): not signed by this deployment's services (${SIGNATURE_HEADER} missing or wrong): only Baton's services may write to ${record.topic}`,
          ],
          parent: extractTraceContext({}, undefined),
        }
      : readRecord(route, record);
    const attributes = {
      [MESSAGING_ATTR.system]: this.options.messagingSystem ?? 'kafka',
      [MESSAGING_ATTR.operationType]: 'process',
      [MESSAGING_ATTR.operationName]: 'process',
      [MESSAGING_ATTR.destination]: record.topic,
      [MESSAGING_ATTR.partition]: String(record.partition),
      [MESSAGING_ATTR.consumerGroup]: this.options.consumer,
      [MESSAGING_ATTR.kafkaOffset]: Number(record.offset),
      [MESSAGING_ATTR.bodySize]: record.value?.length ?? 0,
      ...(record.key ? { [MESSAGING_ATTR.kafkaKey]: record.key } : {}),
      ...(read.ok ? read.attributes : {}),
    };
    await tracer.startActiveSpan(
      `process ${record.topic}`,
      { kind: SpanKind.CONSUMER, attributes },
      read.parent,
      async (span) => {
        try {
          if (!read.ok) {
            const reason = read.unsigned ? 'unsigned' : 'invalid-message';
            span.setStatus({ code: SpanStatusCode.ERROR, message: reason });
            await this.options.deadLetters.send(record, reason, read.errors, 0, shutdown);
            return;
          }
          await this.beforeHandle(read.value, record);
          await this.handleWithRetries(route, steps, read.value, record, span, shutdown);
        } finally {
          span.end();
        }
      },
    );
  }

  /** Whether a record on a signed route lacks a valid signature of this deployment. */
  private isForged(route: Route<unknown>, record: InboundRecord): boolean {
    const signer = this.options.signer;
    if (!signer || route.public) return false;
    return !signer.verify(record, record.headers[SIGNATURE_HEADER]);
  }

  /** The service's wait before the transaction (a workflow version); a failure there is logged. */
  private async beforeHandle(message: unknown, record: InboundRecord): Promise<void> {
    try {
      await this.options.beforeHandle?.(message);
    } catch (error) {
      this.options.logger.warn(
        { err: error, topic: record.topic, partition: record.partition, offset: record.offset },
        'before-handle wait failed; handling the message anyway',
      );
    }
  }

  private async handleWithRetries<T>(
    route: Route<T>,
    steps: Steps<T>,
    message: T,
    record: InboundRecord,
    span: Span,
    shutdown: AbortSignal,
  ): Promise<void> {
    const { retry, logger } = this.options;
    if (route.groupCommit && !steps.prepare) {
      const grouped = await this.inGroup(route, steps.handle, message, record);
      if (grouped) {
        span.setAttribute('baton.inbox.duplicate', grouped === 'duplicate');
        batonMetrics().messagesHandled.add(1, topicAttributes(record.topic));
        return;
      }
      // Its group's transaction failed: handled on its own below, with retries and dead letter.
    }
    // Attempts the database was unavailable for do not count: they say nothing of the message.
    let unavailable = 0;
    for (let attempt = 1; ; attempt++) {
      let preparing = false;
      try {
        let prepared: unknown;
        if (steps.prepare) {
          preparing = true;
          const preparation = await this.prepare(
            route,
            steps.prepare,
            message,
            record,
            attempt,
            shutdown,
          );
          preparing = false;
          if (preparation.handled) {
            // Handled before (the inbox said so): nothing to claim, no transaction to open.
            span.setAttribute('baton.inbox.duplicate', true);
            return;
          }
          prepared = preparation.value;
        }
        const outcome = await this.handleOnce(
          route,
          steps.handle,
          message,
          record,
          attempt,
          prepared,
        );
        span.setAttribute('baton.inbox.duplicate', outcome === 'duplicate');
        batonMetrics().messagesHandled.add(1, topicAttributes(record.topic));
        return;
      } catch (error) {
        // A preparation cut short by shutdown (a wait for admission) did not act: the record is
        // not finished and is delivered again, neither retried here nor dead-lettered.
        if (preparing && shutdown.aborted) throw error;
        // Nest's RPC layer rethrows plain objects such as { status, message }.
        const reason =
          error instanceof Error ? `${error.name}: ${error.message}` : JSON.stringify(error);
        // Traces, like logs, get what failed, not the values it failed on.
        const safe = safeError(error);
        span.recordException({ name: safe.type, message: safe.message, stack: safe.stack });
        const permanent = error instanceof PermanentFailure;
        if (!permanent && isUnavailable(error)) {
          unavailable += 1;
          const delay = retryDelay(retry, Math.min(unavailable, 30));
          logger.warn(
            { err: error, attempt, delayMs: delay, topic: record.topic, offset: record.offset },
            'database unavailable; retrying until it answers (the record stays uncommitted)',
          );
          batonMetrics().messagesRetried.add(1, topicAttributes(record.topic));
          // On shutdown this rejects: the record is not committed and is delivered again.
          await abortableDelay(delay, shutdown);
          continue;
        }
        if (permanent || attempt - unavailable >= retry.maxAttempts) {
          span.setStatus({ code: SpanStatusCode.ERROR, message: `${safe.type}: ${safe.message}` });
          const dead: DeadLettered = {
            topic: deadLetterTopic(record.topic),
            reason: permanent ? 'handler-rejected' : 'handler-failed',
            errors: [reason],
          };
          await this.options.deadLetters.send(record, dead.reason, dead.errors, attempt, shutdown);
          await this.options
            .afterDeadLetter?.(message, dead)
            .catch((error: unknown) =>
              logger.error(
                { err: error, topic: record.topic, offset: record.offset },
                'dead-lettered; telling the run ledger failed',
              ),
            );
          return;
        }
        const delay = retryDelay(retry, attempt);
        logger.warn(
          { err: error, attempt, delayMs: delay, topic: record.topic, offset: record.offset },
          'handler failed; retrying',
        );
        batonMetrics().messagesRetried.add(1, topicAttributes(record.topic));
        await abortableDelay(delay, shutdown);
      }
    }
  }

  /**
   * The route's prepare phase for one attempt, in a span of its own, holding no connection but
   * for the queries it makes. `handled`: the preparer looked and the inbox already had the id.
   */
  private async prepare<T>(
    route: Route<T>,
    prepare: MessagePreparer<T, unknown>,
    message: T,
    record: InboundRecord,
    attempt: number,
    shutdown: AbortSignal,
  ): Promise<{ value: unknown; handled: boolean }> {
    const { dataSource, consumer } = this.options;
    const messageId = route.codec.idOf(message);
    let handled = false;
    const ctx: PrepareContext = {
      record: origin(record),
      attempt,
      shutdown,
      alreadyHandled: async () => {
        ({ handled } = await Inbox.lookUp(dataSource, consumer, messageId));
        return handled;
      },
      alreadyHandledAnd: async <R extends Record<string, unknown>>(
        sql: string,
        params: unknown[],
      ) => {
        const found = await Inbox.lookUp<R>(dataSource, consumer, messageId, sql, params);
        handled = found.handled;
        return found;
      },
    };
    return tracer.startActiveSpan(
      `prepare ${record.topic}`,
      { kind: SpanKind.INTERNAL, attributes: { 'baton.step.attempt': attempt } },
      async (span) => {
        try {
          const value = await prepare(message, ctx);
          return { value, handled };
        } catch (error) {
          const safe = safeError(error);
          span.setStatus({ code: SpanStatusCode.ERROR, message: `${safe.type}: ${safe.message}` });
          throw error;
        } finally {
          span.end();
        }
      },
    );
  }

  /**
   * The message handled in a transaction shared with the others that arrived meanwhile (the
   * route's `groupCommit`); undefined when that transaction failed, to be handled on its own.
   */
  private async inGroup<T>(
    route: Route<T>,
    handle: MessageHandler<T, unknown>,
    message: T,
    record: InboundRecord,
  ): Promise<GroupOutcome | undefined> {
    const { dataSource, outbox, consumer } = this.options;
    this.group ??= new GroupCommit({ consumer, dataSource, outbox, maxGroup: MAX_GROUP });
    // The handler runs inside another delivery's drain: what it emits keeps its own trace.
    const active = context.active();
    const messageId = route.codec.idOf(message);
    try {
      return await this.group.submit({
        messageId,
        record,
        run: (manager, stage, batches) =>
          context.with(active, () =>
            handle(message, {
              manager,
              record: origin(record),
              attempt: 1,
              prepared: undefined,
              emit: (target, out) => stage(outbox.stage(encodeWithTrace(target, out))),
              release: () => Inbox.release(manager, consumer, messageId),
              batch: (key, create, flush) => batches.batch(key, create, flush),
            }),
          ),
      });
    } catch (error) {
      if (error instanceof GroupFailed) return undefined;
      throw error;
    }
  }

  private async handleOnce<T>(
    route: Route<T>,
    handle: MessageHandler<T, unknown>,
    message: T,
    record: InboundRecord,
    attempt: number,
    prepared: unknown,
  ): Promise<'handled' | 'duplicate'> {
    const { dataSource, outbox, consumer } = this.options;
    const staged: OutboxRow[] = [];
    const handled = await dataSource.transaction(async (manager) => {
      const messageId = route.codec.idOf(message);
      if (!(await Inbox.claim(manager, consumer, messageId, record))) return false;
      const batches = new TransactionBatches();
      const ctx: HandlerContext = {
        manager,
        record: origin(record),
        attempt,
        prepared,
        emit: (target, out) => staged.push(outbox.stage(encodeWithTrace(target, out))),
        release: () => Inbox.release(manager, consumer, messageId),
        batch: (key, create, flush) => batches.batch(key, create, flush),
      };
      await handle(message, ctx);
      await batches.flush(manager);
      await outbox.insert(manager, staged);
      return true;
    });
    if (!handled) return 'duplicate';
    await outbox.publishCommitted(staged);
    return 'handled';
  }
}

/** A route's handler and its optional prepare phase, with the prepared value's type erased. */
interface Steps<T> {
  handle: MessageHandler<T, unknown>;
  prepare?: MessagePreparer<T, unknown>;
}

function origin(record: InboundRecord): RecordOrigin {
  return {
    topic: record.topic,
    partition: record.partition,
    offset: record.offset,
    key: record.key,
  };
}

/** A record read as far as the pipeline needs it: the message, its span attributes, its trace. */
type ReadRecord<T> =
  | {
      ok: true;
      value: T;
      attributes: Record<string, string | number>;
      parent: ReturnType<typeof extractTraceContext>;
    }
  | {
      ok: false;
      errors: string[];
      parent: ReturnType<typeof extractTraceContext>;
      /** Refused for want of a valid signature, not read at all. */
      unsigned?: true;
    };

/**
 * Decodes a record and reads what its span needs, never throwing: a codec or attribute that
 * throws on some input makes the record invalid (named by the error's name, no input text),
 * not a record retried forever.
 */
function readRecord<T>(route: Route<T>, record: InboundRecord): ReadRecord<T> {
  const parentOf = (own?: string) => {
    try {
      return extractTraceContext(record.headers, own);
    } catch {
      return extractTraceContext({}, undefined);
    }
  };
  try {
    const decoded = route.codec.decode(record);
    if (!decoded.ok) return { ok: false, errors: decoded.errors, parent: parentOf() };
    const value = decoded.value;
    return {
      ok: true,
      value,
      attributes: {
        ...route.codec.attributesOf(value),
        [MESSAGING_ATTR.messageId]: route.codec.idOf(value),
      },
      parent: parentOf(route.codec.traceparentOf(value)),
    };
  } catch (error) {
    const name = error instanceof Error ? error.name : 'error';
    return {
      ok: false,
      errors: [`(root): could not be read as ${route.codec.name} (${name})`],
      parent: parentOf(),
    };
  }
}

/**
 * Records a producer span for the message (its parent is whatever is active: the consume
 * span of the message being handled) and puts that span's context in the message headers,
 * and in the message itself where it has a `traceparent` field.
 */
export function encodeWithTrace<T>(route: Route<T>, message: T, system = 'kafka') {
  const key = route.codec.keyOf(message);
  const span = tracer.startSpan(`send ${route.topic}`, {
    kind: SpanKind.PRODUCER,
    attributes: {
      [MESSAGING_ATTR.system]: system,
      [MESSAGING_ATTR.operationType]: 'send',
      [MESSAGING_ATTR.operationName]: 'send',
      [MESSAGING_ATTR.destination]: route.topic,
      [MESSAGING_ATTR.kafkaKey]: key,
      [MESSAGING_ATTR.messageId]: route.codec.idOf(message),
      ...route.codec.attributesOf(message),
    },
  });
  const headers = injectTraceHeaders({}, trace.setSpan(context.active(), span));
  const traceparent = headers['traceparent'];
  const traced =
    traceparent && route.codec.withTraceparent
      ? route.codec.withTraceparent(message, traceparent)
      : message;
  span.end();
  return {
    topic: route.topic,
    key,
    value: route.codec.encode(traced),
    headers: { ...headers, 'content-type': 'application/json', 'baton-codec': route.codec.name },
  };
}

function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new Error('shutting down'));
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new Error('shutting down'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
