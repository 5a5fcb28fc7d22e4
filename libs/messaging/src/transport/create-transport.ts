import type { Logger } from '@baton/telemetry';
import type { MessagingConfig } from '../messaging.config.js';
import { InProcessTransport } from './in-process.transport.js';
import { kafkaSecurity } from './kafka-security.js';
import { KafkaTransport } from './kafka.transport.js';
import type { MessageTransport } from './transport.js';

/** Kafka when KAFKA_BROKERS is set, else the in-process transport (single-process mode). */
export function createTransport(
  config: MessagingConfig,
  clientId: string,
  logger: Logger,
): MessageTransport {
  if (config.kafkaBrokers.length === 0) return new InProcessTransport();
  const secured = kafkaSecurity(config);
  if (!secured.ok) throw new Error(`Kafka security settings: ${secured.problems.join('; ')}`);
  return new KafkaTransport({
    security: secured.security,
    brokers: config.kafkaBrokers,
    clientId,
    logger,
    sessionTimeoutMs: config.sessionTimeoutMs,
    heartbeatIntervalMs: config.heartbeatIntervalMs,
    maxWaitTimeMs: config.maxWaitTimeMs,
    partitions: config.partitions,
    replicationFactor: config.replicationFactor,
  });
}
