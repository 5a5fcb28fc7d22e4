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
