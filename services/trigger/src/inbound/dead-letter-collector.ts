import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { DEAD_LETTER_SUFFIX, allTopics } from '@baton/contracts';
import {
  MessagingConfig,
  Routes,
  readDeadLetterHeaders,
  type InboundRecord,
  type MessagingRuntime,
  type Subscription,
} from '@baton/messaging';
import { DATA_SOURCE, LOGGER, MESSAGING_RUNTIME } from '@baton/service-kit';
import type { Logger } from '@baton/telemetry';
import { DeadLetterStore } from '../store/dead-letters.repository.js';

/** Records collected at once: each is one small insert. */
const CONCURRENCY = 4;

/**
 * Reads every dead-letter topic (`<topic>.dlq`) from its start, in one consumer group the
 * trigger instances share, and keeps each record in `dead_letters`, so `GET /v1/dead-letters`
 * and the console list them and an admin can replay one. A record is collected once (by where
 * it lies); one the database cannot take yet is retried until it can, or until shutdown (it is
 * then read again). Whatever lies there is collected, even a record written there by hand:
 * its headers are read without trust (readDeadLetterHeaders).
 */
@Injectable()
export class DeadLetterCollector implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private subscription: Promise<Subscription | undefined> | undefined;

  constructor(
    @Inject(MESSAGING_RUNTIME) private readonly runtime: MessagingRuntime,
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly routes: Routes,
    private readonly messaging: MessagingConfig,
    private readonly store: DeadLetterStore,
  ) {}

  /** Not awaited: joining a consumer group takes seconds, and the API need not wait for it. */
  onApplicationBootstrap(): void {
    const topics = allTopics(this.routes.names).filter((t) => t.endsWith(DEAD_LETTER_SUFFIX));
    this.subscription = this.runtime.transport
      .subscribe({
        groupId: `${this.messaging.topicPrefix}trigger.dead-letters`,
        topics,
        concurrency: CONCURRENCY,
        fromBeginning: true,
        handler: (record, shutdown) => this.collect(record, shutdown),
      })
      .catch((error: unknown) => {
        this.logger.error(
          { err: error },
          'dead-letter collector could not subscribe: GET /v1/dead-letters shows only what was collected before',
        );
        return undefined;
      });
  }

  async beforeApplicationShutdown(): Promise<void> {
    const subscription = await this.subscription;
    this.subscription = undefined;
    await subscription?.stop();
  }

  private async collect(record: InboundRecord, shutdown: AbortSignal): Promise<void> {
    const said = readDeadLetterHeaders(record.headers);
    const letter = {
      topic: record.topic,
      partition: record.partition,
      offset: record.offset,
      // Where it goes back to is the topic's own name, never what a header claims.
      sourceTopic: record.topic.slice(0, -DEAD_LETTER_SUFFIX.length),
      reason: said.reason,
      errors: said.errors,
      consumer: said.consumer,
      attempts: said.attempts,
      failedAt: said.failedAt ?? new Date(record.timestamp),
      key: record.key,
      value: record.value,
      headers: record.headers,
    };
    for (let attempt = 1; ; attempt++) {
      try {
        await this.store.collect(this.dataSource.manager, letter);
        return;
      } catch (error) {
        // Thrown during shutdown, the record is not committed and is read again next time.
        if (shutdown.aborted) throw error;
        this.logger.warn(
          { err: error, topic: record.topic, partition: record.partition, offset: record.offset },
          'collecting a dead letter failed; retrying',
        );
        await new Promise((resolve) => setTimeout(resolve, Math.min(200 * 2 ** attempt, 10_000)));
      }
    }
  }
}
