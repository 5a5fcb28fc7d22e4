import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { deadLetterTopic, type TriggerEvent } from '@baton/contracts';
import {
  REPO_ROOT,
  TestKafka,
  expectEventually,
  testKafkaBrokers,
  uniqueTopic,
} from '@baton/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { triggerEventCodec } from './codec/message-codec.js';
import { DLQ_HEADER } from './pipeline/dead-letter.js';
import { startFixture, type RuntimeFixture } from './testing/runtime.fixture.js';

const run = promisify(execFile);
const EXAMPLE = `${REPO_ROOT}docs/examples/trigger-event.json`;

describe('trigger events published by kcat (a non-JavaScript Kafka client)', () => {
  const kafka = new TestKafka();
  let fixture: RuntimeFixture & { dropSchema(): Promise<void> };

  afterAll(async () => {
    await fixture?.close();
    await fixture?.dropSchema();
    await kafka.close();
  });

  it('accepts the documented example event and dead-letters one that breaks the schema', async () => {
    const topic = await kafka.createTopic(uniqueTopic('ingress'), 3);
    const dlq = await kafka.read(deadLetterTopic(topic));
    const received: TriggerEvent[] = [];
    fixture = await startFixture({ consumer: uniqueTopic('ingress').replace(/\./g, '-') });
    // The ingress route is public: upstream systems publish there without Baton's signature.
    fixture.runtime.on({ topic, codec: triggerEventCodec, public: true }, async (event) => {
      received.push(event);
    });
    await fixture.runtime.start();

    const brokers = testKafkaBrokers().join(',');
    // Each file argument is sent as one message.
    await run('kcat', [
      '-P',
      '-b',
      brokers,
      '-t',
      topic,
      '-k',
      'acme:zendesk-ticket-48213',
      '-H',
      'content-type=application/json',
      EXAMPLE,
    ]);
    await run('bash', [
      '-c',
      `printf '%s' '{"schemaVersion":1,"workflowId":"Billing Dispute","tenantId":"acme","data":[]}' | kcat -P -b ${brokers} -t ${topic} -k bad`,
    ]);

    const example = JSON.parse(readFileSync(EXAMPLE, 'utf8')) as TriggerEvent;
    await expectEventually(() => expect(received).toHaveLength(1));
    expect({ ...received[0] }).toEqual(example);
    await expectEventually(() => expect(dlq).toHaveLength(1));
    const errors = JSON.parse(dlq[0]!.headers[DLQ_HEADER.errors]!) as string[];
    expect(errors).toEqual(
      expect.arrayContaining([
        'idempotencyKey: is required',
        'workflowId: workflowId must be lowercase letters, digits and dashes',
        'eventType: is required',
        'data: data must be an object',
      ]),
    );
  });
});
