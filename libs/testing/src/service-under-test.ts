// A service started in-process for its integration tests, on the real broker and Postgres,
// with its own topic prefix and schema, and helpers to publish to it and read what it emits.
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { topicNames, type TopicNames } from '@baton/contracts';
import {
  freePort,
  testDatabaseUrl,
  testKafkaBrokers,
  testSigningKey,
} from './infra/environment.js';
import { dropSchema, freshSchemaName } from './test-database.js';
import { TestKafka, uniqueTopic } from './test-kafka.js';

export interface ServiceUnderTest<T> {
  running: T;
  names: TopicNames;
  /** The service's own Postgres schema. */
  schema: string;
  kafka: TestKafka;
  /** Everything published to `topic` from now on, parsed, as a live view. */
  watch<M = Record<string, unknown>>(topic: string): Promise<() => M[]>;
  /** Publishes a message keyed by its run id. */
  publish(topic: string, message: { runId: string }): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts a service through `start` (typically `(env) => runService(definition, env)`) with the
 * test environment: real broker and database, fresh topic prefix and schema, a free port.
 * `workflowsDir`, when given and a temporary folder (`writeWorkflows`), is deleted on close; a
 * folder elsewhere (the repository's own workflows) is left alone.
 */
export async function startServiceUnderTest<T extends { close(): Promise<void> }>(options: {
  name: string;
  start: (env: Record<string, string>) => Promise<T>;
  env?: Record<string, string>;
  workflowsDir?: string;
}): Promise<ServiceUnderTest<T>> {
  const { prefix, schema, env } = await serviceTestEnvironment(options.name, {
    KAFKA_BROKERS: testKafkaBrokers().join(','),
    BATON_SIGNING_KEY: testSigningKey(),
    ...(options.workflowsDir ? { BATON_WORKFLOWS_DIR: options.workflowsDir } : {}),
    ...options.env,
  });
  const running = await options.start(env).catch(async (error: unknown) => {
    // A start that failed half-way may have created the schema: leave nothing behind.
    await dropSchema(schema);
    throw error;
  });
  const kafka = new TestKafka();
  return {
    running,
    names: topicNames(prefix),
    schema,
    kafka,
    async watch<M>(topic: string) {
      const records = await kafka.read(topic);
      return () => records.map((record) => JSON.parse(record.value!.toString('utf8')) as M);
    },
    async publish(topic, message) {
      await kafka.produce(topic, [{ key: message.runId, value: JSON.stringify(message) }]);
    },
    async close() {
      await kafka.close();
      await running.close();
      await dropSchema(schema);
      if (options.workflowsDir?.startsWith(tmpdir()))
        rmSync(options.workflowsDir, { recursive: true, force: true });
    },
  };
}

/**
 * The environment of a service under test: its own topic prefix and schema (fresh names), the
 * test database, a free port on loopback, short retry delays, and LOG_LEVEL (error unless the
 * run sets it); `extra` is added last.
 */
export async function serviceTestEnvironment(
  name: string,
  extra: Record<string, string> = {},
): Promise<{ prefix: string; schema: string; env: Record<string, string> }> {
  process.env['LOG_LEVEL'] ??= 'error';
  const label = name.slice(0, 3);
  const prefix = `${uniqueTopic(label)}.`;
  const schemaPrefix = `${freshSchemaName(label)}_`;
  return {
    prefix,
    schema: `${schemaPrefix}${name}`,
    env: {
      LOG_LEVEL: process.env['LOG_LEVEL'],
      DATABASE_URL: testDatabaseUrl(),
      BATON_TOPIC_PREFIX: prefix,
      BATON_SCHEMA_PREFIX: schemaPrefix,
      HOST: '127.0.0.1',
      PORT: String(await freePort()),
      BATON_RETRY_INITIAL_DELAY_MS: '20',
      BATON_RETRY_MAX_DELAY_MS: '100',
      BATON_DRAIN_TIMEOUT_MS: '5000',
      ...extra,
    },
  };
}

/** A live view of what a topic received. */
export type Read<T> = () => T[];

/** The messages of one run, in the order they arrived. */
export const ofRun = <T extends { runId: string }>(read: Read<T>, runId: string): T[] =>
  read().filter((message) => message.runId === runId);
