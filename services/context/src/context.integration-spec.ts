import { deadLetterTopic, type StepEnvelope } from '@baton/contracts';
import { DLQ_HEADER } from '@baton/messaging';
import {
  TestKafka,
  billingWorkflow,
  billingWorkflowWithSources,
  expectEventually,
  writeWorkflows,
  type ReadRecord,
} from '@baton/testing';
import { startService, type StartedService } from '@baton/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contextService } from './context.service-definition.js';
import { contextFor, MESSAGE, startCrm } from './testing/context-envelopes.fixture.js';

// What needs the real broker: signing (the in-process transport carries no signatures; on
// Kafka an unsigned record is dead-lettered before any handler). Everything else the context
// step does is in context.service-spec.ts and failing-sources.service-spec.ts.
describe('context service over the real Kafka broker and Postgres', () => {
  const kafka = new TestKafka();
  let crm: Awaited<ReturnType<typeof startCrm>>;
  let service: StartedService;
  let decisions: ReadRecord[];

  beforeAll(async () => {
    crm = await startCrm();
    const dir = writeWorkflows([
      {
        ...billingWorkflowWithSources('crm-context', [
          {
            name: 'crm',
            kind: 'http',
            url: `${crm.url}/customers/{{ trigger.data.customerId }}`,
            timeoutMs: 2000,
            required: true,
          },
        ]),
        // No `customer` source here, so the reviewer cannot be shown evidence.customer.
        escalation: {
          ...(billingWorkflow()['escalation'] as object),
          show: ['trigger.data.message'],
        },
        decision: { rules: [] },
      },
    ]);
    service = await startService(contextService, {
      workflowsDir: dir,
      env: { BATON_OUTBOUND_ALLOWED_HOSTS: '127.0.0.1' },
    });
    decisions = await kafka.read(service.names.steps.decision);
  });

  afterAll(async () => {
    await service?.close();
    await kafka.close();
    await crm?.close();
  });

  const decisionsOf = (runId: string) =>
    decisions
      .filter((r) => r.key === runId)
      .map((r) => JSON.parse(r.value!.toString()) as StepEnvelope<'decision'>);

  it('reads no source for a context envelope the deployment did not sign, and gathers a signed one', async () => {
    const dlq = await kafka.read(deadLetterTopic(service.names.steps.context));
    // Schema-valid, written by something that can reach the broker but does not hold the
    // deployment's signing key: it would have the CRM read for a customer of its choosing.
    const forged = contextFor({ customerId: 'cus_forged', message: MESSAGE }, 'crm-context');
    await kafka.produce(
      service.names.steps.context,
      [{ key: forged.runId, value: JSON.stringify(forged) }],
      { signed: false },
    );
    const genuine = contextFor({ customerId: 'cus_1001', message: MESSAGE }, 'crm-context');
    await kafka.produce(service.names.steps.context, [
      { key: genuine.runId, value: JSON.stringify(genuine) },
    ]);

    const [decision] = await expectEventually(() => {
      expect(decisionsOf(genuine.runId)).toHaveLength(1);
      return decisionsOf(genuine.runId);
    });
    expect(decision!.payload.state.evidence).toEqual([
      { source: 'crm', kind: 'record', weak: false, content: { id: 'cus_1001', segment: 'smb' } },
    ]);
    await expectEventually(() =>
      expect(dlq.map((r) => [r.key, r.headers[DLQ_HEADER.reason]])).toContainEqual([
        forged.runId,
        'unsigned',
      ]),
    );
    expect(crm.requests).not.toContain('/customers/cus_forged');
    expect(decisionsOf(forged.runId)).toEqual([]);
  });
});
