import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { parse } from 'yaml';
import { KafkaTransport } from '@baton/messaging';
import { createLogger } from '@baton/telemetry';
import { RecordSigner, SIGNATURE_HEADER } from '@baton/contracts';
import {
  TestKafka,
  expectEventually,
  testKafkaBrokers,
  testSigningKey,
  uniqueTopic,
} from '@baton/testing';
import { WorkflowCatalog, parseWorkflow, workflowDigest } from '@baton/workflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  WorkflowRegistryFollower,
  publishWorkflowRecords,
  workflowRecordOf,
} from './workflow-registry.js';

const billing = parse(
  readFileSync(
    new URL('../../../workflows/billing-dispute/workflow.yaml', import.meta.url),
    'utf8',
  ),
) as Record<string, unknown>;

/** The billing-dispute definition as another version, with another escalation queue. */
const definition = (version: number, queue = `queue-v${version}`) => ({
  ...billing,
  version,
  escalation: { ...(billing['escalation'] as object), queue },
});

const recordOf = (document: Record<string, unknown>, digest = workflowDigest(document)) =>
  workflowRecordOf(
    {
      workflow: { id: document['id'] as string, version: document['version'] as number },
      document,
      digest,
    } as Parameters<typeof workflowRecordOf>[0],
    { publishedAt: new Date(), publishedBy: 'tests', source: 'published' },
  );

describe(WorkflowRegistryFollower.name, () => {
  const topic = uniqueTopic('registry');
  const lines: Array<{ level: string; msg: string }> = [];
  const logger = createLogger({
    service: 'registry-test',
    version: '0',
    level: 'info',
    destination: new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString('utf8').split('\n').filter(Boolean))
          lines.push(JSON.parse(line) as { level: string; msg: string });
        done();
      },
    }),
  });
  const transport = new KafkaTransport({
    brokers: testKafkaBrokers(),
    clientId: 'registry-test',
    logger,
    sessionTimeoutMs: 6_000,
    heartbeatIntervalMs: 500,
  });
  const followers: WorkflowRegistryFollower[] = [];
  const follow = async (workflows = new WorkflowCatalog(), catchUpTimeoutMs = 30_000) => {
    const follower = await WorkflowRegistryFollower.follow({
      transport,
      topic,
      workflows,
      logger,
      groupPrefix: topic,
      catchUpTimeoutMs,
      lookupWaitMs: 20_000,
      signer,
    });
    followers.push(follower);
    return { follower, workflows };
  };
  const signer = new RecordSigner([testSigningKey()]);
  const publishRaw = (key: string, value: string) =>
    transport.publish([
      { topic, key, value, headers: { [SIGNATURE_HEADER]: signer.sign({ topic, key, value }) } },
    ]);

  beforeAll(async () => {
    await transport.ensureTopics([{ topic, compacted: true, partitions: 3 }]);
    await publishWorkflowRecords(transport, topic, [recordOf(definition(1))], signer);
    // Not JSON; a record without a definition; a definition that is not valid; a wrong digest.
    await publishRaw('billing-dispute@7', 'not json');
    await publishRaw(
      'billing-dispute@8',
      JSON.stringify({ ...recordOf(definition(8)), definition: 'x' }),
    );
    const invalid = { ...definition(9), limits: { maxSteps: 0 } };
    await publishWorkflowRecords(transport, topic, [recordOf(invalid)], signer);
    await publishWorkflowRecords(
      transport,
      topic,
      [recordOf(definition(10), 'a'.repeat(64))],
      signer,
    );
    await publishWorkflowRecords(transport, topic, [recordOf(definition(2))], signer);
    // Valid, but not signed with this deployment's key: written by something else.
    const stranger = new RecordSigner(['some-other-deployment-key-0123456789']);
    await publishWorkflowRecords(transport, topic, [recordOf(definition(11))], stranger);
  });
  afterAll(async () => {
    await Promise.all(followers.map((f) => f.stop()));
    await transport.close();
  });

  it('has read every valid version on the topic when it starts, skipping invalid records with a warning', async () => {
    const { workflows } = await follow();
    // No waiting: follow() resolves only once the catalog has caught up with the topic.
    expect(workflows.entries().map((e) => `${e.workflow.id}@${e.workflow.version}`)).toEqual([
      'billing-dispute@1',
      'billing-dispute@2',
    ]);
    expect(workflows.entry('billing-dispute', 2)).toMatchObject({
      source: 'published',
      publishedBy: 'tests',
      digest: workflowDigest(definition(2)),
    });
    const skipped = lines.filter((l) => l.msg.startsWith('workflow registry record skipped'));
    expect(skipped.map((l) => l.msg)).toEqual(
      expect.arrayContaining([
        'workflow registry record skipped: not a valid registry record',
        'workflow registry record skipped: billing-dispute@9 is not a valid definition',
        expect.stringMatching(/billing-dispute@10: the digest a{64} does not match/),
        "workflow registry record skipped: not signed by this deployment's services (baton-signature)",
      ]),
    );
    expect(skipped.length).toBeGreaterThanOrEqual(5);
  });

  it('lets every instance see a version published later, and never changes a published one', async () => {
    const first = await follow();
    const second = await follow();
    await publishWorkflowRecords(
      transport,
      topic,
      [
        recordOf(definition(3)),
        // Another definition under a published id and version: refused everywhere.
        recordOf(definition(1, 'rewritten')),
      ],
      signer,
    );
    for (const { workflows } of [first, second]) {
      await expectEventually(() =>
        expect(workflows.get('billing-dispute', 3)?.escalation.queue).toBe('queue-v3'),
      );
      await workflows.catchUp();
      expect(workflows.get('billing-dispute', 1)?.escalation.queue).toBe('queue-v1');
    }
    expect(lines.map((l) => l.msg)).toContain(
      `workflow registry record skipped: billing-dispute@1 is already published with digest ${workflowDigest(definition(1))}; a published version never changes (this record has ${workflowDigest(definition(1, 'rewritten'))})`,
    );
  });

  it('holds a candidate out of latest in every instance until its record comes back promoted', async () => {
    const first = await follow();
    const second = await follow();
    const candidate = definition(20);
    const published = new Date('2026-03-01T10:00:00.000Z');
    const of = {
      workflow: { id: 'billing-dispute', version: 20 },
      document: candidate as Record<string, unknown>,
      digest: workflowDigest(candidate),
    } as Parameters<typeof workflowRecordOf>[0];
    const meta = { publishedAt: published, publishedBy: 'tests', source: 'published' as const };
    await publishWorkflowRecords(
      transport,
      topic,
      [workflowRecordOf(of, { ...meta, candidate: true })],
      signer,
    );
    for (const { workflows } of [first, second]) {
      await expectEventually(() =>
        expect(workflows.entry('billing-dispute', 20)).toMatchObject({ candidate: true }),
      );
      expect(workflows.latest('billing-dispute')?.version).not.toBe(20);
      expect(workflows.highest('billing-dispute')?.version).toBe(20);
    }
    await publishWorkflowRecords(
      transport,
      topic,
      [
        workflowRecordOf(of, {
          ...meta,
          promotion: { at: new Date(), by: 'admin-1', overrideReason: 'hotfix' },
        }),
      ],
      signer,
    );
    for (const { workflows } of [first, second]) {
      await expectEventually(() => expect(workflows.latest('billing-dispute')?.version).toBe(20));
      expect(workflows.entry('billing-dispute', 20)).toMatchObject({
        promotedBy: 'admin-1',
        overrideReason: 'hotfix',
      });
      expect(workflows.entry('billing-dispute', 20)?.candidate).toBeUndefined();
    }
    // An instance started later reads both records in order: the promotion holds.
    const later = await follow();
    expect(later.workflows.latest('billing-dispute')?.version).toBe(20);
    expect(lines.map((l) => l.msg)).toContain('workflow candidate version promoted');
  });

  it('makes a lookup of a version not delivered yet wait for it', async () => {
    const { workflows } = await follow();
    expect(workflows.get('billing-dispute', 4)).toBeUndefined();
    const lookup = workflows.resolve('billing-dispute', 4);
    await publishWorkflowRecords(transport, topic, [recordOf(definition(4))], signer);
    expect((await lookup)?.escalation.queue).toBe('queue-v4');
    // A version nobody publishes: the lookup gives up after its wait.
    expect(await workflows.resolve('billing-dispute', 99, 50)).toBeUndefined();
  });

  it('lets the registry win over a bundled file that disagrees, with a warning naming both digests', async () => {
    const bundled = new WorkflowCatalog();
    const file = parseWorkflow(JSON.stringify(definition(1, 'bundled')), { format: 'json' });
    if (!file.ok) throw new Error(file.errors.join('; '));
    bundled.add({ workflow: file.workflow, document: file.document, source: 'bundled' });
    const { workflows } = await follow(bundled);
    expect(workflows.get('billing-dispute', 1)?.escalation.queue).toBe('queue-v1');
    const registry = workflowDigest(definition(1));
    expect(lines.map((l) => l.msg)).toContain(
      `workflow billing-dispute@1: the registry holds other content than the bundled file; the registry's version is used (registry ${registry}, bundled ${workflowDigest(file.document)})`,
    );
  });

  it('deletes its group when it stops; a catch-up it cannot finish fails after its wait, naming the topic', async () => {
    const { follower } = await follow();
    const admin = new TestKafka().kafka.admin();
    await admin.connect();
    try {
      const groups = async () => (await admin.listGroups()).groups.map((g) => g.groupId);
      expect(await groups()).toContain(follower.groupId);
      await follower.stop();
      expect(await groups()).not.toContain(follower.groupId);
    } finally {
      await admin.disconnect();
    }
    // Stopped, it cannot read what is published now: the same wait that bounds the start fails.
    await publishWorkflowRecords(transport, topic, [recordOf(definition(5))], signer);
    await expect(follower.catchUp(100)).rejects.toThrow(
      new RegExp(
        `^workflow registry: not caught up with ${topic.replaceAll('.', '\\.')} after 100 ms \\(partition \\d+ at \\d+ of \\d+\\)`,
      ),
    );
  });
});
