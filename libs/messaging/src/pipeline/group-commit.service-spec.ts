import { aRunOf, deadLetterTopic, type StepEnvelope } from '@baton/contracts';
import { loadConfig } from '@baton/config';
import { openDatabase } from '@baton/persistence';
import { createLogger } from '@baton/telemetry';
import { expectEventually, freshSchema } from '@baton/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { stepEnvelopeCodec } from '../codec/message-codec.js';
import { MessagingConfig } from '../messaging.config.js';
import { MessagingRuntime } from '../messaging.runtime.js';
import { MESSAGING_MIGRATIONS } from '../store/messaging-tables.migration.js';
import { InProcessTransport } from '../transport/in-process.transport.js';
import type { Route } from './message-pipeline.js';
import { PermanentFailure } from './retry-policy.js';

// Group commit (a route's `groupCommit`): messages that arrive while a transaction is under way
// share the next one; order per key holds; a message whose group fails is handled on its own,
// so one poison message costs the others nothing and nothing is handled twice in effect.

const route: Route<StepEnvelope> = {
  topic: 'test.grouped',
  codec: stepEnvelopeCodec,
  groupCommit: true,
};

describe('MessagePipeline: group commit (in-process transport, real Postgres)', () => {
  const opened: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const close of opened.splice(0).reverse()) await close();
  });

  async function start() {
    const { url, schema, drop } = freshSchema('group');
    const dataSource = await openDatabase({
      url,
      schema,
      migrations: MESSAGING_MIGRATIONS,
      poolSize: 4,
    });
    await dataSource.query(
      'CREATE TABLE effects (envelope_id text PRIMARY KEY, run_id text, seq int, tx bigint)',
    );
    const transport = new InProcessTransport();
    await transport.ensureTopics([{ topic: route.topic }, { topic: deadLetterTopic(route.topic) }]);
    const runtime = new MessagingRuntime({
      consumer: 'group-test',
      transport,
      dataSource,
      logger: createLogger({ service: 'group-test', version: 'test', level: 'silent' }),
      config: loadConfig(MessagingConfig, {
        BATON_CONCURRENCY: '64',
        BATON_RETRY_INITIAL_DELAY_MS: '10',
        BATON_RETRY_MAX_DELAY_MS: '20',
        BATON_RETRY_MAX_ATTEMPTS: '2',
      }),
    });
    opened.push(async () => {
      await runtime.stop();
      await transport.close();
      await dataSource.destroy();
      await drop();
    });
    const publish = (envelopes: StepEnvelope[]) =>
      transport.publish(
        envelopes.map((e) => ({ topic: route.topic, key: e.runId, value: JSON.stringify(e) })),
      );
    const effects = () =>
      dataSource.query<Array<{ envelope_id: string; run_id: string; seq: number; tx: string }>>(
        'SELECT envelope_id, run_id, seq, tx::text AS tx FROM effects ORDER BY tx, seq',
      );
    return { dataSource, transport, runtime, publish, effects };
  }

  it('handles the messages that queued behind a transaction in one shared transaction, in order per key', async () => {
    const { runtime, publish, effects } = await start();
    const [first] = aRunOf(1);
    const runs = Array.from({ length: 10 }, () => aRunOf(3));
    let openGate!: () => void;
    const gate = new Promise<void>((resolve) => (openGate = resolve));
    // Each transaction's batch: flushed once, after its last handler, with every message's part.
    const flushes: Array<{ tx: string; size: number }> = [];
    runtime.on(route, async (envelope, ctx) => {
      // The first message holds its transaction open until the others have queued behind it.
      if (envelope.envelopeId === first!.envelopeId) await gate;
      await ctx.manager.query('INSERT INTO effects VALUES ($1, $2, $3, txid_current())', [
        envelope.envelopeId,
        envelope.runId,
        envelope.step.seq,
      ]);
      ctx
        .batch<string[]>(
          'seen',
          () => [],
          async (manager, ids) => {
            const [{ tx }] = await manager.query<Array<{ tx: string }>>(
              'SELECT txid_current()::text AS tx',
            );
            flushes.push({ tx, size: ids.length });
          },
        )
        .push(envelope.envelopeId);
    });
    await runtime.start();
    await publish([first!]);
    await expectEventually(() => expect(runtime.stats?.running).toBe(1));
    // Ten runs, three steps each: the first step of each run can run at once (one per key).
    await publish(runs.flat());
    await expectEventually(() => expect(runtime.stats?.running).toBe(11));
    openGate();

    await expectEventually(async () => expect(await effects()).toHaveLength(31));
    const rows = await effects();
    // The ten first steps that waited behind the first message went in one transaction (31
    // messages would otherwise be 31 transactions); each run's later steps follow in order.
    const tenFirst = rows.filter((row) => row.seq === 0 && row.envelope_id !== first!.envelopeId);
    expect(new Set(tenFirst.map((row) => row.tx)).size).toBe(1);
    expect(flushes.filter((flush) => flush.tx === tenFirst[0]!.tx)).toEqual([
      { tx: tenFirst[0]!.tx, size: 10 },
    ]);
    expect(flushes.reduce((sum, flush) => sum + flush.size, 0)).toBe(31);
    for (const run of runs) {
      const seqs = rows.filter((row) => row.run_id === run[0]!.runId).map((row) => row.seq);
      expect(seqs).toEqual([0, 1, 2]);
    }
  });

  it('hands a failed group back message by message: the poison is dead-lettered, the rest handled once', async () => {
    const { runtime, transport, publish, effects } = await start();
    const [first] = aRunOf(1);
    const envelopes = Array.from({ length: 8 }, () => aRunOf(1)[0]!);
    const poison = envelopes[3]!;
    const dead: unknown[] = [];
    await transport.subscribe({
      groupId: 'dlq-reader',
      topics: [deadLetterTopic(route.topic)],
      concurrency: 1,
      handler: async (record) => void dead.push(record.headers),
    });
    let openGate!: () => void;
    const gate = new Promise<void>((resolve) => (openGate = resolve));
    const calls = new Map<string, number>();
    runtime.on(route, async (envelope, ctx) => {
      calls.set(envelope.envelopeId, (calls.get(envelope.envelopeId) ?? 0) + 1);
      if (envelope.envelopeId === first!.envelopeId) await gate;
      await ctx.manager.query('INSERT INTO effects VALUES ($1, $2, $3, txid_current())', [
        envelope.envelopeId,
        envelope.runId,
        envelope.step.seq,
      ]);
      if (envelope.envelopeId === poison.envelopeId) throw new PermanentFailure('poison');
    });
    await runtime.start();
    await publish([first!]);
    await expectEventually(() => expect(runtime.stats?.running).toBe(1));
    await publish(envelopes);
    await expectEventually(() => expect(runtime.stats?.running).toBe(9));
    openGate();

    await expectEventually(() => expect(dead).toHaveLength(1));
    await expectEventually(async () => expect(await effects()).toHaveLength(8));
    const handled = (await effects()).map((row) => row.envelope_id);
    expect(handled).not.toContain(poison.envelopeId);
    expect(new Set(handled)).toEqual(
      new Set([first!, ...envelopes].filter((e) => e !== poison).map((e) => e.envelopeId)),
    );
    // The group ran in arrival order and rolled back at the poison: the three before it ran
    // there and once more on their own (their first writes undone), the four after it only alone.
    expect(envelopes.map((e) => calls.get(e.envelopeId))).toEqual([2, 2, 2, 2, 1, 1, 1, 1]);
    await expectEventually(() => expect(runtime.stats?.running).toBe(0));
  });
});
