import {
  RecordSigner,
  SIGNATURE_HEADER,
  aContextEnvelope,
  aRunOf,
  deadLetterTopic,
  nextStep,
  type StepEnvelope,
} from '@baton/contracts';
import { TestKafka, expectEventually, testSigningKey, uniqueTopic } from '@baton/testing';
import { Writable } from 'node:stream';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { stepEnvelopeCodec } from './codec/message-codec.js';
import { DLQ_HEADER } from './pipeline/dead-letter.js';
import type { Route } from './pipeline/message-pipeline.js';
import { PermanentFailure } from './pipeline/retry-policy.js';
import { startFixture, type RuntimeFixture } from './testing/runtime.fixture.js';

const route = (label: string): Route<StepEnvelope> => ({
  topic: uniqueTopic(label),
  codec: stepEnvelopeCodec,
});
const uniqueGroup = (label: string) => uniqueTopic(label).replace(/\./g, '-');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('messaging over the real Kafka broker and Postgres', () => {
  const kafka = new TestKafka();
  const fixtures: Array<RuntimeFixture & { dropSchema(): Promise<void> }> = [];
  const start = async (...args: Parameters<typeof startFixture>) => {
    const fixture = await startFixture(...args);
    fixtures.push(fixture);
    return fixture;
  };

  afterEach(async () => {
    for (const fixture of fixtures.splice(0)) {
      await fixture.close();
      await fixture.dropSchema();
    }
  });
  afterAll(() => kafka.close());

  it('carries typed envelopes from one service to the next, through the outbox', async () => {
    const input = route('in');
    const output = route('out');
    await kafka.createTopic(input.topic, 3);
    await kafka.createTopic(output.topic, 3);

    const upstream = await start({ consumer: uniqueGroup('e2e-upstream') });
    upstream.runtime.on(input, async (envelope, ctx) => {
      if (envelope.payload.kind !== 'context')
        throw new PermanentFailure('expected a context step');
      ctx.emit(
        output,
        nextStep(
          envelope,
          { name: 'decide', kind: 'decision' },
          {
            kind: 'decision',
            state: {
              trigger: envelope.payload.trigger,
              evidence: [],
              weakEvidence: true,
              history: [],
            },
          },
        ),
      );
    });
    const received: StepEnvelope[] = [];
    const downstream = await start({ consumer: uniqueGroup('e2e-downstream') });
    downstream.runtime.on(output, async (envelope) => {
      received.push(envelope);
    });
    await upstream.runtime.start();
    await downstream.runtime.start();

    const sent = Array.from({ length: 20 }, () => aContextEnvelope());
    await kafka.produce(
      input.topic,
      sent.map((e) => ({ key: e.runId, value: JSON.stringify(e) })),
    );

    await expectEventually(() => expect(received).toHaveLength(20));
    for (const envelope of received) {
      const cause = sent.find((s) => s.envelopeId === envelope.causationId)!;
      expect(envelope).toMatchObject({
        runId: cause.runId,
        step: { kind: 'decision', seq: 1 },
        payload: { kind: 'decision' },
      });
    }
    // Published rows are deleted: the outbox drains.
    await expectEventually(async () => {
      const [{ n }] = await upstream.dataSource.query('SELECT count(*)::int AS n FROM outbox');
      expect(n).toBe(0);
    });
  });

  it('runs up to the in-flight limit at once on one partition, one run at a time, in order', async () => {
    const input = route('order');
    await kafka.createTopic(input.topic, 1);
    const runs = Array.from({ length: 100 }, () => aRunOf(3));
    let running = 0;
    let peak = 0;
    const activeRuns = new Set<string>();
    const overlaps: string[] = [];
    const seen = new Map<string, number[]>();
    // Handlers hold at the gate, so work piles up behind the limit however fast or loaded the
    // machine is: the count of handlers at the gate reaches the limit and stays there.
    let openGate!: () => void;
    const gate = new Promise<void>((resolve) => (openGate = resolve));

    const fixture = await start({
      consumer: uniqueGroup('order'),
      env: { BATON_CONCURRENCY: '50', BATON_MAX_BUFFERED: '300' },
    });
    fixture.runtime.on(input, async (envelope) => {
      if (activeRuns.has(envelope.runId)) overlaps.push(envelope.runId);
      activeRuns.add(envelope.runId);
      running += 1;
      peak = Math.max(peak, running);
      await gate;
      running -= 1;
      activeRuns.delete(envelope.runId);
      seen.set(envelope.runId, [...(seen.get(envelope.runId) ?? []), envelope.step.seq]);
    });
    // Interleave runs on the partition: run1#0, run2#0, …, run1#1, …
    const records = [0, 1, 2].flatMap((seq) => runs.map((run) => run[seq]!));
    await kafka.produce(
      input.topic,
      records.map((e) => ({ key: e.runId, value: JSON.stringify(e) })),
    );
    await fixture.runtime.start();

    // 100 runs are ready, so the scheduler fills every slot; then nothing may finish or start.
    await expectEventually(() => expect(running).toBe(50), { timeoutMs: 60_000 });
    expect(seen.size).toBe(0);
    openGate();

    await expectEventually(() => expect([...seen.values()].flat()).toHaveLength(300), {
      timeoutMs: 60_000,
    });
    expect(peak).toBe(50);
    expect(fixture.runtime.stats?.peakRunning).toBe(50);
    expect(overlaps).toEqual([]);
    for (const run of runs) expect(seen.get(run[0]!.runId)).toEqual([0, 1, 2]);
  });

  it('dead-letters malformed and poison records with the reason, and the partition moves on to commit the next valid one', async () => {
    const input = route('bad');
    await kafka.createTopic(input.topic, 1);
    const dlq = await kafka.read(deadLetterTopic(input.topic));
    const handled: string[] = [];
    const group = uniqueGroup('dlq');
    const fixture = await start({ consumer: group });
    fixture.runtime.on(input, async (envelope) => {
      handled.push(envelope.envelopeId);
    });
    await fixture.runtime.start();

    const valid = aContextEnvelope();
    const without = (field: string) => {
      const envelope = { ...aContextEnvelope() } as Record<string, unknown>;
      delete envelope[field];
      return JSON.stringify(envelope);
    };
    let deep = '1';
    for (let i = 0; i < 5_000; i++) deep = `{"a":${deep}}`;
    // Each of these used to throw before the retry/dead-letter path: the record was delivered
    // again forever and its partition never committed past it.
    const poison = [
      { key: 'a', value: 'this is not JSON {' },
      { key: 'b', value: JSON.stringify({ ...aContextEnvelope(), schemaVersion: 99 }) },
      { key: 'c', value: without('runId') },
      { key: 'd', value: without('step') },
      { key: 'e', value: without('payload') },
      { key: 'f', value: without('workflow') },
      { key: 'g', value: JSON.stringify(aContextEnvelope()).replace('{', `{"extra":${deep},`) },
    ];
    await kafka.produce(input.topic, [
      ...poison,
      { key: valid.runId, value: JSON.stringify(valid) },
    ]);

    await expectEventually(() => expect(handled).toEqual([valid.envelopeId]));
    await expectEventually(() => expect(dlq).toHaveLength(poison.length));
    // Different keys are handled in parallel, so dead letters arrive in any order.
    const reasons = dlq
      .map((r) => [
        r.key,
        r.headers[DLQ_HEADER.reason],
        JSON.parse(r.headers[DLQ_HEADER.errors]!)[0],
      ])
      .sort((x, y) => String(x[0]).localeCompare(String(y[0])));
    expect(reasons).toEqual([
      ['a', 'invalid-message', expect.stringMatching(/^\(root\): not valid JSON/)],
      ['b', 'invalid-message', 'schemaVersion: this consumer reads version 1, got 99'],
      ['c', 'invalid-message', expect.stringMatching(/^runId: /)],
      ['d', 'invalid-message', 'step: is required'],
      ['e', 'invalid-message', 'payload: is required'],
      ['f', 'invalid-message', 'workflow: is required'],
      ['g', 'invalid-message', expect.stringMatching(/^extra\.a\.a.*: nested more than 64 levels/)],
    ]);
    const notJson = dlq.find((r) => r.key === 'a')!;
    expect(notJson.value!.toString()).toBe('this is not JSON {');
    expect(notJson.headers[DLQ_HEADER.sourceTopic]).toBe(input.topic);
    expect(notJson.headers[DLQ_HEADER.sourceOffset]).toBe('0');
    // Nothing holds the partition: the group commits past every record.
    const admin = kafka.kafka.admin();
    await admin.connect();
    try {
      await expectEventually(async () => {
        const [offsets] = await admin.fetchOffsets({ groupId: group, topics: [input.topic] });
        expect(offsets!.partitions[0]!.offset).toBe(String(poison.length + 1));
      });
    } finally {
      await admin.disconnect();
    }
  });

  it("handles only records signed by this deployment's services: an unsigned or re-addressed envelope is dead-lettered as unsigned, unread", async () => {
    const input = route('signed');
    const other = route('signed-other');
    await kafka.createTopic(input.topic, 1);
    const dlq = await kafka.read(deadLetterTopic(input.topic));
    const handled: string[] = [];
    const fixture = await start({ consumer: uniqueGroup('signed') });
    fixture.runtime.on(input, async (envelope) => {
      handled.push(envelope.envelopeId);
    });
    await fixture.runtime.start();

    const forged = aContextEnvelope();
    const wrongKey = aContextEnvelope();
    const readdressed = aContextEnvelope();
    const genuine = aContextEnvelope();
    const value = (e: object) => JSON.stringify(e);
    await kafka.produce(input.topic, [{ key: forged.runId, value: value(forged) }], {
      signed: false,
    });
    const stranger = new RecordSigner(['another-deployment-signing-key-0123456789']);
    await kafka.produce(input.topic, [
      {
        key: wrongKey.runId,
        value: value(wrongKey),
        headers: {
          [SIGNATURE_HEADER]: stranger.sign({
            topic: input.topic,
            key: wrongKey.runId,
            value: value(wrongKey),
          }),
        },
      },
      {
        // Signed with the right key, for another topic: a signature is bound to its topic.
        key: readdressed.runId,
        value: value(readdressed),
        headers: {
          [SIGNATURE_HEADER]: new RecordSigner([testSigningKey()]).sign({
            topic: other.topic,
            key: readdressed.runId,
            value: value(readdressed),
          }),
        },
      },
      { key: genuine.runId, value: value(genuine) },
    ]);

    await expectEventually(() => expect(handled).toEqual([genuine.envelopeId]));
    await expectEventually(() => expect(dlq).toHaveLength(3));
    expect(dlq.map((r) => r.headers[DLQ_HEADER.reason])).toEqual([
      'unsigned',
      'unsigned',
      'unsigned',
    ]);
    expect(JSON.parse(dlq[0]!.headers[DLQ_HEADER.errors]!)).toEqual([
      `(root): not signed by this deployment's services (baton-signature missing or wrong): only Baton's services may write to ${input.topic}`,
    ]);
  });

  it('logs retries and dead letters of a failing statement without its parameters or the values it quotes', async () => {
    const input = route('redact');
    await kafka.createTopic(input.topic, 1);
    const dlq = await kafka.read(deadLetterTopic(input.topic));
    const lines: string[] = [];
    const logs = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    });
    const customer = 'Ann Example, 12 Privet Drive, wants her money back';
    const fixture = await start({
      consumer: uniqueGroup('redact'),
      env: { BATON_RETRY_MAX_ATTEMPTS: '3' },
      logs,
    });
    fixture.runtime.on(input, async (envelope, ctx) => {
      // Customer text where an integer belongs: Postgres refuses it and quotes it back.
      await ctx.manager.query('INSERT INTO handled (message_id, seq) VALUES ($1, $2)', [
        envelope.envelopeId,
        customer,
      ]);
    });
    await fixture.runtime.start();
    const envelope = aContextEnvelope();
    await kafka.produce(input.topic, [{ key: envelope.runId, value: JSON.stringify(envelope) }]);

    await expectEventually(() => expect(dlq).toHaveLength(1));
    const text = lines.join('');
    expect(text).toContain('handler failed; retrying');
    expect(text).toContain('"type":"QueryFailedError"');
    expect(text).toContain('"code":"22P02"');
    expect(text).toContain('dead-lettered to');
    expect(text).not.toContain('Privet');
    // The dead letter keeps the whole reason for whoever replays it: it is data, not a log.
    expect(dlq[0]!.headers[DLQ_HEADER.errors]).toContain('Privet');
  });

  it('retries transient failures with backoff, then dead-letters; a permanent failure goes at once; an unavailable database is waited out', async () => {
    const input = route('retry');
    await kafka.createTopic(input.topic, 1);
    const dlq = await kafka.read(deadLetterTopic(input.topic));
    const flaky = aContextEnvelope();
    const broken = aContextEnvelope();
    const rejected = aContextEnvelope();
    // The database refusing connections (SQLSTATE 53300) says nothing of the message: such
    // attempts do not count, however many there are; the record is handled once it answers.
    const overloaded = aContextEnvelope();
    const attempts = new Map<string, number>();
    const fixture = await start({
      consumer: uniqueGroup('retry'),
      env: { BATON_RETRY_MAX_ATTEMPTS: '4', BATON_RETRY_INITIAL_DELAY_MS: '50' },
    });
    fixture.runtime.on(input, async (envelope, ctx) => {
      attempts.set(envelope.envelopeId, ctx.attempt);
      if (envelope.envelopeId === flaky.envelopeId && ctx.attempt < 3)
        throw new Error('database hiccup');
      if (envelope.envelopeId === broken.envelopeId) throw new Error('always down');
      if (envelope.envelopeId === rejected.envelopeId)
        throw new PermanentFailure('cannot ever work');
      if (envelope.envelopeId === overloaded.envelopeId && ctx.attempt <= 6)
        throw Object.assign(new Error('sorry, too many clients already'), { code: '53300' });
      await ctx.manager.query('INSERT INTO handled (message_id) VALUES ($1)', [
        envelope.envelopeId,
      ]);
    });
    await fixture.runtime.start();
    await kafka.produce(
      input.topic,
      [flaky, broken, rejected, overloaded].map((e) => ({
        key: e.runId,
        value: JSON.stringify(e),
      })),
    );

    await expectEventually(() => expect(attempts.get(overloaded.envelopeId)).toBe(7));
    await expectEventually(() => expect(dlq).toHaveLength(2));
    expect(attempts.get(flaky.envelopeId)).toBe(3);
    expect(attempts.get(broken.envelopeId)).toBe(4);
    expect(attempts.get(rejected.envelopeId)).toBe(1);
    const byKey = Object.fromEntries(dlq.map((r) => [r.key, r.headers]));
    expect(byKey[broken.runId]).toMatchObject({
      [DLQ_HEADER.reason]: 'handler-failed',
      [DLQ_HEADER.attempts]: '4',
    });
    expect(byKey[rejected.runId]).toMatchObject({
      [DLQ_HEADER.reason]: 'handler-rejected',
      [DLQ_HEADER.attempts]: '1',
    });
    // The 7th attempt is counted before its transaction commits: the row follows.
    await expectEventually(async () => {
      const rows = await fixture.dataSource.query('SELECT message_id FROM handled ORDER BY 1');
      expect(rows).toEqual(
        [flaky, overloaded]
          .map((e) => ({ message_id: e.envelopeId }))
          .sort((a, b) => a.message_id.localeCompare(b.message_id)),
      );
    });
    expect(dlq.map((r) => r.key)).not.toContain(overloaded.runId);
  });

  it('lets a handler run past the session timeout without a rebalance or a second delivery', async () => {
    const input = route('slow');
    await kafka.createTopic(input.topic, 1);
    const group = uniqueGroup('slow');
    const fixture = await start({
      consumer: group,
      env: { KAFKA_SESSION_TIMEOUT_MS: '6000', KAFKA_HEARTBEAT_INTERVAL_MS: '500' },
    });
    const slow = aContextEnvelope();
    const next = aContextEnvelope();
    const deliveries: string[] = [];
    fixture.runtime.on(input, async (envelope) => {
      deliveries.push(envelope.envelopeId);
      if (envelope.envelopeId === slow.envelopeId) await sleep(9_000); // 1.5 x the session timeout
    });
    await fixture.runtime.start();
    await kafka.produce(
      input.topic,
      [slow, next].map((e) => ({ key: e.runId, value: JSON.stringify(e) })),
    );

    await expectEventually(
      () => expect(deliveries.sort()).toEqual([slow.envelopeId, next.envelopeId].sort()),
      {
        timeoutMs: 30_000,
      },
    );
    // Wait for the commit of both offsets, then check nothing came back.
    const admin = kafka.kafka.admin();
    await admin.connect();
    await expectEventually(async () => {
      const [offsets] = await admin.fetchOffsets({ groupId: group, topics: [input.topic] });
      expect(offsets!.partitions[0]!.offset).toBe('2');
    });
    await admin.disconnect();
    expect(fixture.runtime.stats?.groupJoins).toBe(1);
    expect(deliveries).toHaveLength(2);
  });
});
