import { aContextEnvelope, deadLetterTopic, type StepEnvelope } from '@baton/contracts';
import { loadConfig } from '@baton/config';
import { openDatabase } from '@baton/persistence';
import { createLogger } from '@baton/telemetry';
import { expectEventually, freshSchema } from '@baton/testing';
import type { DataSource } from 'typeorm';
import { afterEach, describe, expect, it } from 'vitest';
import { stepEnvelopeCodec } from '../codec/message-codec.js';
import { MessagingConfig } from '../messaging.config.js';
import { MessagingRuntime } from '../messaging.runtime.js';
import { MESSAGING_MIGRATIONS } from '../store/messaging-tables.migration.js';
import { InProcessTransport } from '../transport/in-process.transport.js';
import type { Outbox } from '../store/outbox.js';
import type { InboundRecord } from '../transport/transport.js';
import { DeadLetters } from './dead-letter.js';
import { MessagePipeline, type PrepareContext, type Route } from './message-pipeline.js';

// A route's prepare phase (MessagePipeline): before the handler's transaction, holding no
// connection; its result reaches the handler; a duplicate opens no transaction; a wait cut by
// shutdown leaves the record unfinished, never dead-lettered.

const route: Route<StepEnvelope> = { topic: 'test.prepare', codec: stepEnvelopeCodec };

interface PgPool {
  totalCount: number;
  idleCount: number;
}
const checkedOut = (dataSource: DataSource) => {
  const pool = (dataSource.driver as unknown as { master: PgPool }).master;
  return pool.totalCount - pool.idleCount;
};

describe('MessagePipeline: the prepare phase (in-process transport, real Postgres)', () => {
  const opened: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const close of opened.splice(0).reverse()) await close();
  });

  async function start() {
    const { url, schema, drop } = freshSchema('prepare');
    const dataSource = await openDatabase({
      url,
      schema,
      migrations: MESSAGING_MIGRATIONS,
      poolSize: 4,
    });
    const transport = new InProcessTransport();
    await transport.ensureTopics([{ topic: route.topic }, { topic: deadLetterTopic(route.topic) }]);
    const runtime = new MessagingRuntime({
      consumer: 'prepare-test',
      transport,
      dataSource,
      logger: createLogger({ service: 'prepare-test', version: 'test', level: 'silent' }),
      config: loadConfig(MessagingConfig, {
        BATON_RETRY_INITIAL_DELAY_MS: '10',
        BATON_RETRY_MAX_DELAY_MS: '20',
        // No outbox sweep during the test: a sweep's connection, checked out at the moment the
        // test counts them, is not a preparer's (a loaded CI machine caught one once).
        BATON_OUTBOX_SWEEP_INTERVAL_MS: '3600000',
      }),
    });
    opened.push(async () => {
      await runtime.stop();
      await transport.close();
      await dataSource.destroy();
      await drop();
    });
    const publish = (envelope: StepEnvelope) =>
      transport.publish([
        { topic: route.topic, key: envelope.runId, value: JSON.stringify(envelope) },
      ]);
    return { dataSource, transport, runtime, publish };
  }

  it("runs before the transaction, holding no connection, and hands its result to the handler; a duplicate's handler never runs", async () => {
    const { dataSource, runtime, publish } = await start();
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const prepared: Array<{ attempt: number; handled: boolean }> = [];
    const handled: unknown[] = [];
    let waiting = 0;
    runtime.on<StepEnvelope, { envelopeId: string; waited: boolean }>(
      route,
      async (_envelope, ctx) => {
        handled.push(ctx.prepared);
        await ctx.manager.query('SELECT 1');
      },
      async (envelope, ctx: PrepareContext) => {
        const duplicate = await ctx.alreadyHandled();
        prepared.push({ attempt: ctx.attempt, handled: duplicate });
        if (duplicate) return { envelopeId: envelope.envelopeId, waited: false };
        waiting += 1;
        await released;
        return { envelopeId: envelope.envelopeId, waited: true };
      },
    );
    await runtime.start();

    const envelopes = Array.from({ length: 10 }, () => aContextEnvelope());
    for (const envelope of envelopes) await publish(envelope);
    // Ten preparers wait at once on a pool of four, none holding a connection.
    await expectEventually(() => expect(waiting).toBe(10));
    expect(checkedOut(dataSource)).toBe(0);
    release();
    await expectEventually(() => expect(handled).toHaveLength(10));
    expect(handled).toEqual(
      expect.arrayContaining(envelopes.map((e) => ({ envelopeId: e.envelopeId, waited: true }))),
    );

    // Delivered again: the preparer sees it handled, and the handler does not run.
    await publish(envelopes[0]!);
    await expectEventually(() => expect(prepared).toHaveLength(11));
    await expectEventually(() => expect(runtime.stats).toMatchObject({ buffered: 0 }));
    expect(prepared[10]).toEqual({ attempt: 1, handled: true });
    expect(handled).toHaveLength(10);
  });

  it('looks at the inbox and at a look-up of its own in one statement (alreadyHandledAnd)', async () => {
    const { runtime, publish } = await start();
    const looked: Array<{ handled: boolean; row: unknown }> = [];
    runtime.on<StepEnvelope, void>(
      route,
      async (_envelope, ctx) => {
        await ctx.manager.query('SELECT 1');
      },
      async (envelope, ctx: PrepareContext) => {
        // The preparer's own parameters are $1 and $2; a row only from the second look on.
        looked.push(
          await ctx.alreadyHandledAnd('SELECT $1::text AS run_id, $2::int AS n WHERE $2::int > 0', [
            envelope.runId,
            looked.length,
          ]),
        );
      },
    );
    await runtime.start();

    const envelope = aContextEnvelope();
    await publish(envelope);
    await expectEventually(() => expect(looked).toHaveLength(1));
    await expectEventually(() => expect(runtime.stats).toMatchObject({ buffered: 0 }));
    await publish(envelope);
    await expectEventually(() => expect(looked).toHaveLength(2));
    expect(looked).toEqual([
      { handled: false, row: undefined },
      { handled: true, row: { run_id: envelope.runId, n: 1 } },
    ]);
  });

  it('leaves a record whose preparation shutdown cut short unfinished, not dead-lettered', async () => {
    const { dataSource, transport } = await start();
    const logger = createLogger({ service: 'prepare-test', version: 'test', level: 'silent' });
    // One attempt allowed: a failed attempt would be dead-lettered at once.
    const pipeline = new MessagePipeline({
      consumer: 'prepare-test',
      dataSource,
      outbox: {} as Outbox, // never reached: nothing is handled
      deadLetters: new DeadLetters(transport, 'prepare-test', logger),
      retry: { maxAttempts: 1, initialDelayMs: 10, maxDelayMs: 20 },
      logger,
      messagingSystem: 'baton.in-process',
    });
    let waiting = 0;
    let handlerRan = false;
    const handle = pipeline.handlerFor(
      route,
      async () => {
        handlerRan = true;
      },
      (_envelope, ctx) =>
        new Promise<void>((_resolve, reject) => {
          waiting += 1;
          ctx.shutdown.addEventListener('abort', () => reject(new Error('shutting down')), {
            once: true,
          });
        }),
    );
    const envelope = aContextEnvelope();
    const record: InboundRecord = {
      topic: route.topic,
      partition: 0,
      offset: '0',
      key: envelope.runId,
      value: Buffer.from(JSON.stringify(envelope)),
      headers: {},
      timestamp: Date.now(),
    };
    const shutdown = new AbortController();
    const finishing = handle(record, shutdown.signal);
    await expectEventually(() => expect(waiting).toBe(1));
    shutdown.abort();
    // Not finished: the transport leaves its offset uncommitted and delivers it again.
    await expect(finishing).rejects.toThrow('shutting down');
    expect(handlerRan).toBe(false);
    expect(transport.records(deadLetterTopic(route.topic))).toEqual([]);
  });
});
