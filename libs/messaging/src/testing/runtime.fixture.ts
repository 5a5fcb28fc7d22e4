// Test-only wiring of a real MessagingRuntime: Kafka transport, a fresh Postgres schema.
import { loadConfig } from '@baton/config';
import { openDatabase } from '@baton/persistence';
import { createLogger } from '@baton/telemetry';
import { dropSchema, freshSchema, testKafkaBrokers, testSigningKey } from '@baton/testing';
import type { DataSource, MigrationInterface, QueryRunner } from 'typeorm';
import { MessagingConfig } from '../messaging.config.js';
import { MessagingRuntime } from '../messaging.runtime.js';
import { MESSAGING_MIGRATIONS } from '../store/messaging-tables.migration.js';
import { createTransport } from '../transport/create-transport.js';
import type { KafkaTransport } from '../transport/kafka.transport.js';

/** A table the test handlers write to, in the same transaction as the inbox row. */
export class CreateHandledTable1764057600001 implements MigrationInterface {
  name = 'CreateHandledTable1764057600001';
  async up(runner: QueryRunner): Promise<void> {
    await runner.query(
      `CREATE TABLE handled (message_id text NOT NULL, run_id text, seq int, pid int, at timestamptz DEFAULT clock_timestamp())`,
    );
  }
  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE handled`);
  }
}

export const TEST_MIGRATIONS = [...MESSAGING_MIGRATIONS, CreateHandledTable1764057600001];

export interface RuntimeFixture {
  runtime: MessagingRuntime;
  transport: KafkaTransport;
  dataSource: DataSource;
  schema: string;
  close(): Promise<void>;
}

export async function startFixture(options: {
  consumer: string;
  schema?: string;
  env?: Record<string, string>;
  /** Where the runtime's logs go (at info and above), for a test that reads them. */
  logs?: NodeJS.WritableStream;
}): Promise<RuntimeFixture & { dropSchema(): Promise<void> }> {
  const fresh = freshSchema(options.consumer);
  const schema = options.schema ?? fresh.schema;
  const logger = createLogger({
    service: options.consumer,
    version: 'test',
    level: options.logs ? 'info' : (process.env['LOG_LEVEL'] ?? 'error'),
    ...(options.logs ? { destination: options.logs } : {}),
  });
  const config = loadConfig(MessagingConfig, {
    BATON_OUTBOX_SWEEP_INTERVAL_MS: '200',
    BATON_OUTBOX_SWEEP_GRACE_MS: '500',
    BATON_RETRY_INITIAL_DELAY_MS: '20',
    BATON_RETRY_MAX_DELAY_MS: '100',
    BATON_DRAIN_TIMEOUT_MS: '5000',
    KAFKA_BROKERS: testKafkaBrokers().join(','),
    BATON_SIGNING_KEY: testSigningKey(),
    ...options.env,
  });
  const dataSource = await openDatabase({
    url: fresh.url,
    schema,
    migrations: TEST_MIGRATIONS,
    poolSize: config.concurrency + 4,
  });
  const transport = createTransport(config, options.consumer, logger) as KafkaTransport;
  const runtime = new MessagingRuntime({
    consumer: options.consumer,
    transport,
    dataSource,
    logger,
    config,
  });
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await runtime.stop();
    await transport.close();
    await dataSource.destroy();
  };
  return { runtime, transport, dataSource, schema, close, dropSchema: () => dropSchema(schema) };
}
