import {
  RecordSigner,
  SIGNATURE_HEADER,
  deadLetterTopic,
  uuidv7,
  type StepEnvelope,
} from '@baton/contracts';
import { expectEventually, testSigningKey, type ReadRecord, type TestKafka } from '@baton/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEYS, startEscalation, type EscalationFixture } from './testing/escalation.fixture.js';

// What only the real broker shows: records are signed with the deployment's key, and one that
// is not (written by something that can reach the broker without the key) moves nothing. The
// service's behaviour itself is the service tier's (*.service-spec.ts, in-process transport).
describe('escalation service on the real broker (real Kafka and Postgres)', () => {
  let esc: EscalationFixture;
  let kafka: TestKafka;
  const signer = new RecordSigner([testSigningKey()]);
  const signed = (record: ReadRecord) =>
    signer.verify(
      { topic: record.topic, key: record.key, value: record.value },
      record.headers[SIGNATURE_HEADER],
    );
  const ofRun = (records: ReadRecord[], runId: string) =>
    records.filter((record) => record.key === runId);

  beforeAll(async () => {
    esc = await startEscalation({ harness: 'kafka' });
    kafka = esc.kafka!;
  });
  afterAll(() => esc?.close());

  it('takes a signed escalation from the broker, and signs the decision and run events it sends on', async () => {
    const decisions = await kafka.read(esc.names.steps.decision);
    const runEvents = await kafka.read(esc.names.runEvents);
    const envelope = await esc.escalate();
    const taskId = await esc.taskIdOf(envelope);
    const approved = await esc.api('POST', `/v1/tasks/${taskId}/approve`, KEYS.reviewer, {});
    expect(approved.status).toBe(200);

    const [decision] = await expectEventually(() => {
      const found = ofRun(decisions, envelope.runId);
      expect(found).toHaveLength(1);
      return found;
    });
    expect(signed(decision!)).toBe(true);
    const resumed = JSON.parse(decision!.value!.toString()) as StepEnvelope<'decision'>;
    expect(resumed.payload.reason).toBe('review-approved');
    // task-created's step.finished, run.waiting and run.resumed: all signed for their topic.
    const events = await expectEventually(() => {
      const found = ofRun(runEvents, envelope.runId);
      expect(found).toHaveLength(3);
      return found;
    });
    expect(events.map(signed)).toEqual([true, true, true]);
  });

  it('dead-letters an unsigned escalation: no task, nothing sent on for its run', async () => {
    const dlq = await kafka.read(deadLetterTopic(esc.names.steps.escalation));
    const genuine = await esc.escalate(); // signed, as the fixture publishes: opens a task
    // Schema-valid, for a run that never existed, written without the deployment's key.
    const forged = { ...genuine, envelopeId: uuidv7(), runId: uuidv7() };
    await kafka.produce(
      esc.names.steps.escalation,
      [{ key: forged.runId, value: JSON.stringify(forged) }],
      { signed: false },
    );
    await esc.taskIdOf(genuine);
    await expectEventually(() =>
      expect(dlq.map((r) => [r.key, r.headers['baton-dlq-reason']])).toContainEqual([
        forged.runId,
        'unsigned',
      ]),
    );
    const tasks = await esc.api('GET', `/v1/tasks?runId=${forged.runId}`, KEYS.reviewer);
    expect(tasks.body['items']).toEqual([]);
    expect(esc.eventsOf(forged.runId)).toEqual([]);
  });
});
