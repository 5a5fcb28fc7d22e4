// Test-only entry point (`@baton/service-kit/testing`): a real service, started in-process
// the way `runService` starts it in production, for the service's integration tests.
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { DataSource } from 'typeorm';
import { topicNames, type TopicNames } from '@baton/contracts';
import { InProcessTransport } from '@baton/messaging';
import {
  dropSchema,
  serviceTestEnvironment,
  startServiceUnderTest,
  type Read,
  type ServiceUnderTest,
} from '@baton/testing';
import { runService, type RunningService, type ServiceDefinition } from '../run-service.js';
import { DATA_SOURCE } from '../tokens.js';
import type { Clock } from '../clock.js';

export interface StartedService extends ServiceUnderTest<RunningService> {
  /** The service's own database (its schema), to check what it wrote. */
  dataSource: DataSource;
}

export async function startService(
  definition: ServiceDefinition,
  options: { env?: Record<string, string>; workflowsDir?: string } = {},
): Promise<StartedService> {
  const service = await startServiceUnderTest({
    name: definition.name,
    start: (env) => runService(definition, env),
    ...options,
  });
  return { ...service, dataSource: service.running.app.get<DataSource>(DATA_SOURCE) };
}

export { ofRun, type Read } from '@baton/testing';
export { documentedAnswers, type DocumentedAnswers } from './documented-answers.js';

/**
 * A clock tests move instead of sleeping: fixed at `time` when one is set, otherwise the real
 * time shifted by `offsetMs`.
 */
export class TestClock implements Clock {
  offsetMs = 0;
  constructor(public time?: Date) {}
  now(): Date {
    return this.time ? new Date(this.time) : new Date(Date.now() + this.offsetMs);
  }
}

/** A service on the in-process transport and the real Postgres (the service test tier). */
export interface InProcessService {
  running: RunningService;
  /** The transport the service consumes from and produces to; tests publish through it. */
  transport: InProcessTransport;
  names: TopicNames;
  /** The service's own Postgres schema. */
  schema: string;
  /** The service's own database (its schema), to check what it wrote. */
  dataSource: DataSource;
  /** Everything published to `topic` (from the start of the service), parsed, as a live view. */
  watch<M = Record<string, unknown>>(topic: string): Promise<Read<M>>;
  /**
   * What was published on `topic` for the run so far, parsed, as the transport logged it. A
   * step's messages are published together once its transaction commits, so once its
   * step.finished is seen, whatever else it sent is here too: an empty list means nothing was
   * sent, with no waiting.
   */
  published<M = { runId: string; type?: string }>(topic: string, runId: string): M[];
  /** Publishes a message keyed by its run id, as another service would. */
  publish(topic: string, message: { runId: string }): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts a service the way `runService` starts it for embedded mode, on its own in-process
 * transport, a fresh schema of the real Postgres and a free port: what the service does with a
 * message, end to end through its handlers, outbox and inbox, in a second and with no broker.
 */
export async function startServiceInProcess(
  definition: ServiceDefinition,
  options: { env?: Record<string, string>; workflowsDir?: string } = {},
): Promise<InProcessService> {
  const { prefix, schema, env } = await serviceTestEnvironment(definition.name, {
    ...(options.workflowsDir ? { BATON_WORKFLOWS_DIR: options.workflowsDir } : {}),
    ...options.env,
  });
  const transport = new InProcessTransport();
  const telemetry = { exporting: false, flush: async () => {}, shutdown: async () => {} };
  const running = await runService(definition, env, { transport, telemetry }).catch(
    async (error: unknown) => {
      await transport.close();
      await dropSchema(schema);
      throw error;
    },
  );
  let watchers = 0;
  return {
    running,
    transport,
    names: topicNames(prefix),
    schema,
    dataSource: running.app.get<DataSource>(DATA_SOURCE),
    async watch<M>(topic: string) {
      const seen: M[] = [];
      await transport.subscribe({
        groupId: `watch-${++watchers}`,
        topics: [topic],
        concurrency: 1,
        handler: async (record) => {
          if (record.value) seen.push(JSON.parse(record.value.toString('utf8')) as M);
        },
      });
      return () => [...seen];
    },
    published<M>(topic: string, runId: string) {
      return transport
        .records(topic)
        .filter((record) => record.key === runId)
        .map((record) => JSON.parse(record.value!.toString('utf8')) as M);
    },
    async publish(topic, message) {
      await transport.publish([
        { topic, key: message.runId, value: JSON.stringify(message), headers: {} },
      ]);
    },
    async close() {
      await running.close();
      await transport.close();
      await dropSchema(schema);
      if (options.workflowsDir?.startsWith(tmpdir()))
        rmSync(options.workflowsDir, { recursive: true, force: true });
    },
  };
}
