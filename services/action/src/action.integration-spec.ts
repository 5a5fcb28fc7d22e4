import { deadLetterTopic, type StepEnvelope } from '@baton/contracts';
import {
  TestKafka,
  businessQuery,
  expectEventually,
  seedBusinessData,
  type ReadRecord,
} from '@baton/testing';
import { startService, type StartedService } from '@baton/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actionService } from './action.service-definition.js';
import { actionWorkflowsDir, anAction, credit } from './testing/action-envelopes.fixture.js';

// What needs the real broker: signing (an unsigned record is dead-lettered before any handler).
// Everything else the action does is in action.service-spec.ts.
describe('action service over the real Kafka broker and Postgres', () => {
  const kafka = new TestKafka();
  let service: StartedService;
  let validations: ReadRecord[];

  beforeAll(async () => {
    await seedBusinessData();
    service = await startService(actionService, { workflowsDir: actionWorkflowsDir() });
    validations = await kafka.read(service.names.steps.validation);
  });

  afterAll(async () => {
    await service?.close();
    await kafka.close();
  });

  const send = (...envelopes: StepEnvelope<'action'>[]) =>
    kafka.produce(
      service.names.steps.action,
      envelopes.map((e) => ({ key: e.runId, value: JSON.stringify(e) })),
    );
  const validationsAfter = (envelope: StepEnvelope<'action'>) =>
    expectEventually(() => {
      const found = validations
        .map((r) => JSON.parse(r.value!.toString()) as StepEnvelope<'validation'>)
        .filter((e) => e.runId === envelope.runId);
      expect(found.map((e) => e.causationId)).toContain(envelope.envelopeId);
      return found;
    });
  const creditsFor = (key: string) =>
    businessQuery('SELECT id, amount FROM billing.credits WHERE idempotency_key = $1', [key]);
  const toolCallsFor = (key: string) =>
    businessQuery(
      `SELECT tool, status FROM "${service.schema}".tool_calls WHERE idempotency_key = $1`,
      [key],
    );

  it('executes nothing from a forged action envelope: a hand-written credit for a run that never existed is dead-lettered unsigned', async () => {
    const forged = anAction(credit(450));
    const key = `${forged.runId}:1:issue-credit`;
    const dlq = await kafka.read(deadLetterTopic(service.names.steps.action));
    // Schema-valid, for a run no ledger knows and a validation that never happened, written by
    // something that can reach the broker but does not hold the deployment's signing key.
    await kafka.produce(
      service.names.steps.action,
      [{ key: forged.runId, value: JSON.stringify(forged) }],
      { signed: false },
    );
    const genuine = anAction(credit(3));
    await send(genuine);
    await validationsAfter(genuine);
    await expectEventually(() =>
      expect(dlq.map((r) => [r.key, r.headers['baton-dlq-reason']])).toContainEqual([
        forged.runId,
        'unsigned',
      ]),
    );
    expect(await creditsFor(key)).toEqual([]);
    expect(await toolCallsFor(key)).toEqual([]);
    expect(
      validations.filter((r) => r.key === forged.runId),
      'no result is sent on for the forged run',
    ).toEqual([]);
  });
});
