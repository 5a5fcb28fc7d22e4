import { deadLetterTopic } from '@baton/contracts';
import { batonMetrics, redactQuoted, topicAttributes, type Logger } from '@baton/telemetry';
import type { InboundRecord, MessageTransport } from '../transport/transport.js';

export const DEAD_LETTER_REASONS = [
  'invalid-message',
  'handler-failed',
  'handler-rejected',
  'unsigned',
] as const;
export type DeadLetterReason = (typeof DEAD_LETTER_REASONS)[number];

/** Headers a dead-lettered record carries, beside its original headers, key and value. */
export const DLQ_HEADER = {
  reason: 'baton-dlq-reason',
  errors: 'baton-dlq-errors',
  sourceTopic: 'baton-dlq-source-topic',
  sourcePartition: 'baton-dlq-source-partition',
  sourceOffset: 'baton-dlq-source-offset',
  consumer: 'baton-dlq-consumer',
  attempts: 'baton-dlq-attempts',
  failedAt: 'baton-dlq-failed-at',
} as const;

/**
 * Moves a record that cannot be handled to `<topic>.dlq`, unchanged, with why in its
 * headers. Publishing is retried until it succeeds (or shutdown): losing the record is
 * not an option, and the partition only moves on once it is safely dead-lettered.
 */
export class DeadLetters {
  constructor(
    private readonly transport: MessageTransport,
    private readonly consumer: string,
    private readonly logger: Logger,
  ) {}

  async send(
    record: InboundRecord,
    reason: DeadLetterReason,
    errors: string[],
    attempts: number,
    shutdown: AbortSignal,
  ): Promise<void> {
    const headers = {
      ...record.headers,
      [DLQ_HEADER.reason]: reason,
      [DLQ_HEADER.errors]: JSON.stringify(errors.map((e) => e.slice(0, 1000)).slice(0, 50)),
      [DLQ_HEADER.sourceTopic]: record.topic,
      [DLQ_HEADER.sourcePartition]: String(record.partition),
      [DLQ_HEADER.sourceOffset]: record.offset,
      [DLQ_HEADER.consumer]: this.consumer,
      [DLQ_HEADER.attempts]: String(attempts),
      [DLQ_HEADER.failedAt]: new Date().toISOString(),
    };
    const topic = deadLetterTopic(record.topic);
    for (let attempt = 1; ; attempt++) {
      try {
        await this.transport.publish([{ topic, key: record.key, value: record.value, headers }]);
        batonMetrics().messagesDeadLettered.add(1, topicAttributes(record.topic));
        this.logger.warn(
          {
            topic: record.topic,
            partition: record.partition,
            offset: record.offset,
            reason,
            // The reasons as the record's headers keep them may quote values: logs do not.
            errors: errors.map(redactQuoted),
          },
          `dead-lettered to ${topic}`,
        );
        return;
      } catch (error) {
        if (shutdown.aborted) throw error;
        this.logger.error({ err: error, topic }, 'dead-letter publish failed; retrying');
        await new Promise((resolve) => setTimeout(resolve, Math.min(200 * 2 ** attempt, 10_000)));
      }
    }
  }
}

/** Why a record lies in a dead-letter topic, as its `baton-dlq-*` headers say. */
export interface DeadLetterHeaders {
  /** One of DEAD_LETTER_REASONS, or `unknown` when the header is missing or something else. */
  reason: DeadLetterReason | 'unknown';
  errors: string[];
  consumer: string | null;
  attempts: number | null;
  /** When it was dead-lettered; null when the header is missing or not a time. */
  failedAt: Date | null;
  /** Where it was read from, as the header claims (a replay goes by the topic's own name). */
  sourcePartition: number | null;
  sourceOffset: string | null;
}

/**
 * Reads the `baton-dlq-*` headers of a dead-lettered record. Anything may have been written to
 * a dead-letter topic, so nothing here throws: what is missing or malformed reads as unknown.
 */
export function readDeadLetterHeaders(headers: Record<string, string>): DeadLetterHeaders {
  const reason = headers[DLQ_HEADER.reason];
  const number = (value: string | undefined) =>
    value !== undefined && /^\d{1,15}$/.test(value) ? Number(value) : null;
  const failedAt = headers[DLQ_HEADER.failedAt] ? new Date(headers[DLQ_HEADER.failedAt]) : null;
  return {
    reason: (DEAD_LETTER_REASONS as readonly string[]).includes(reason ?? '')
      ? (reason as DeadLetterReason)
      : 'unknown',
    errors: parseErrors(headers[DLQ_HEADER.errors]),
    consumer: headers[DLQ_HEADER.consumer] ?? null,
    attempts: number(headers[DLQ_HEADER.attempts]),
    failedAt: failedAt && !Number.isNaN(failedAt.getTime()) ? failedAt : null,
    sourcePartition: number(headers[DLQ_HEADER.sourcePartition]),
    sourceOffset: /^\d{1,20}$/.test(headers[DLQ_HEADER.sourceOffset] ?? '')
      ? headers[DLQ_HEADER.sourceOffset]!
      : null,
  };
}

/**
 * The headers a replayed record goes back to its source topic with: the original ones, the
 * signature included (it covers the topic, key and value, all unchanged, so a signed record
 * still verifies and a forged one is dead-lettered again), without the `baton-dlq-*` ones.
 */
export function replayHeaders(headers: Record<string, string>): Record<string, string> {
  const dlq = new Set<string>(Object.values(DLQ_HEADER));
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !dlq.has(name)));
}

function parseErrors(text: string | undefined): string[] {
  if (!text) return [];
  try {
    const parsed: unknown = JSON.parse(text);
    if (Array.isArray(parsed)) return parsed.map(String).slice(0, 50);
  } catch {
    // Not the JSON array Baton writes: kept as one error, as it came.
  }
  return [text.slice(0, 1000)];
}
