import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { aContextEnvelope, type StepEnvelope } from '@baton/contracts';
import { openDatabase } from '@baton/persistence';
import {
  REPO_ROOT,
  TestKafka,
  expectEventually,
  freshSchema,
  testKafkaBrokers,
  uniqueTopic,
} from '@baton/testing';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_MIGRATIONS } from './testing/runtime.fixture.js';

const FIXTURE = fileURLToPath(new URL('./testing/crash-consumer.fixture.ts', import.meta.url));

describe('crash recovery: inbox, outbox and offsets across killed processes', () => {
  const kafka = new TestKafka();
  const schema = freshSchema('crash');
  const input = uniqueTopic('crash-in');
  const output = uniqueTopic('crash-out');
  const group = uniqueTopic('crash').replace(/\./g, '-');
  let dataSource: DataSource;
  const children: ChildProcess[] = [];

  function startConsumer(extra: Record<string, string> = {}): {
    child: ChildProcess;
    exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  } {
    const child = spawn(
      process.execPath,
      ['--import', `${REPO_ROOT}tools/ts-register.mjs`, FIXTURE],
      {
        cwd: REPO_ROOT,
        env: {
          ...process.env,
          DATABASE_URL: schema.url,
          SCHEMA: schema.schema,
          KAFKA_BROKERS: testKafkaBrokers().join(','),
          INPUT_TOPIC: input,
          OUTPUT_TOPIC: output,
          GROUP: group,
          // A killed member keeps its partitions until its session times out: keep that short.
          KAFKA_SESSION_TIMEOUT_MS: '6000',
          KAFKA_HEARTBEAT_INTERVAL_MS: '500',
          ...extra,
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    children.push(child);
    const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    return { child, exit };
  }

  const count = async (sql: string): Promise<number> => Number((await dataSource.query(sql))[0].n);

  beforeAll(async () => {
    dataSource = await openDatabase({
      url: schema.url,
      schema: schema.schema,
      migrations: TEST_MIGRATIONS,
    });
    await kafka.createTopic(input, 3);
    await kafka.createTopic(output, 3);
  });
  afterAll(async () => {
    children.forEach((c) => c.exitCode === null && c.kill('SIGKILL'));
    await kafka.close();
    await dataSource.destroy();
    await schema.drop();
  });

  it('handles every envelope exactly once in effect and publishes what a crash left in the outbox', async () => {
    const sent: StepEnvelope[] = Array.from({ length: 200 }, () => aContextEnvelope());
    const outputs = await kafka.read(output);
    await kafka.produce(
      input,
      sent.map((e) => ({ key: e.runId, value: JSON.stringify(e) })),
    );

    // 1. A consumer that dies (SIGKILL) right after committing envelope #60, before sending its output.
    const victim = sent[60]!;
    const first = startConsumer({ CRASH_ON_OUTPUT_OF: victim.envelopeId });
    expect(await first.exit).toEqual({ code: null, signal: 'SIGKILL' });
    expect(
      await count(`SELECT count(*) AS n FROM handled WHERE message_id = '${victim.envelopeId}'`),
    ).toBe(1);
    expect(await count(`SELECT count(*) AS n FROM outbox`)).toBeGreaterThanOrEqual(1);

    // 2. A consumer killed from outside while a batch is in flight.
    const second = startConsumer();
    await expectEventually(
      async () =>
        expect(await count('SELECT count(*) AS n FROM handled')).toBeGreaterThanOrEqual(110),
      {
        intervalMs: 10,
        timeoutMs: 60_000,
      },
    );
    second.child.kill('SIGKILL');
    expect((await second.exit).signal).toBe('SIGKILL');

    // 3. A consumer that finishes the work, then shuts down gracefully.
    const third = startConsumer();
    await expectEventually(
      async () =>
        expect(await count('SELECT count(DISTINCT message_id) AS n FROM handled')).toBe(200),
      {
        timeoutMs: 60_000,
      },
    );
    const causes = () =>
      new Set(outputs.map((r) => (JSON.parse(r.value!.toString()) as StepEnvelope).causationId));
    await expectEventually(() => expect(causes().size).toBe(200), { timeoutMs: 30_000 });

    expect(await count('SELECT count(*) AS n FROM handled')).toBe(200); // none handled twice
    expect(causes()).toEqual(new Set(sent.map((e) => e.envelopeId))); // none lost, the victim's included
    expect(causes().has(victim.envelopeId)).toBe(true);
    await expectEventually(async () =>
      expect(await count('SELECT count(*) AS n FROM outbox')).toBe(0),
    );

    third.child.kill('SIGTERM');
    expect(await third.exit).toEqual({ code: 0, signal: null });
  });
});
