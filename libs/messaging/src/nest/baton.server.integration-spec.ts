import 'reflect-metadata';
import { Controller, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, Payload } from '@nestjs/microservices';
import type { INestMicroservice } from '@nestjs/common';
import { aContextEnvelope, aDecisionEnvelope, nextStep, type StepEnvelope } from '@baton/contracts';
import { TestKafka, expectEventually, uniqueTopic } from '@baton/testing';
import { afterAll, describe, expect, it } from 'vitest';
import type { HandlerContext } from '../pipeline/message-pipeline.js';
import { Routes } from '../routes.js';
import { startFixture, type RuntimeFixture } from '../testing/runtime.fixture.js';
import { BatonServer, OnMessage } from './baton.server.js';

const routes = new Routes(`${uniqueTopic('nest')}.`);

@Controller()
class ContextController {
  @OnMessage('step.context')
  async gather(
    @Payload() envelope: StepEnvelope<'context'>,
    @Ctx() context: HandlerContext,
  ): Promise<void> {
    context.emit(
      routes.step('decision'),
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
  }
}

/** Decision envelopes seen, by attempt: the first attempt of each throws. */
const decisionAttempts: string[] = [];

@Controller()
class FlakyDecisionController {
  @OnMessage('step.decision')
  async decide(@Payload() envelope: StepEnvelope<'decision'>): Promise<void> {
    decisionAttempts.push(envelope.envelopeId);
    if (decisionAttempts.filter((id) => id === envelope.envelopeId).length === 1)
      throw new Error('the first attempt fails');
  }
}

@Module({ controllers: [ContextController, FlakyDecisionController] })
class ContextModule {}

describe(BatonServer.name, () => {
  const kafka = new TestKafka();
  let fixture: RuntimeFixture & { dropSchema(): Promise<void> };
  let app: INestMicroservice;

  afterAll(async () => {
    await app?.close();
    await fixture?.close();
    await fixture?.dropSchema();
    await kafka.close();
  });

  it('turns @OnMessage controller methods into subscriptions with validated, typed envelopes', async () => {
    fixture = await startFixture({ consumer: uniqueTopic('nest-context').replace(/\./g, '-') });
    app = await NestFactory.createMicroservice(ContextModule, {
      strategy: new BatonServer(fixture.runtime, routes),
      logger: false,
    });
    await app.listen();
    // The service creates what it consumes: here the decision topic too (FlakyDecisionController).

    const decisions = await kafka.read(routes.names.steps.decision);
    const envelope = aContextEnvelope();
    await kafka.produce(routes.names.steps.context, [
      { key: envelope.runId, value: JSON.stringify(envelope) },
    ]);
    await expectEventually(() => expect(decisions).toHaveLength(1));
    const decision = JSON.parse(decisions[0]!.value!.toString()) as StepEnvelope;
    expect(decision).toMatchObject({
      runId: envelope.runId,
      causationId: envelope.envelopeId,
      step: { kind: 'decision' },
    });
    expect(decisions[0]!.key).toBe(envelope.runId);
  });

  it('hands an error thrown in a handler back to the pipeline, which tries again', async () => {
    // Nest returns a thrown error as an Observable (its exception filter); the runtime must
    // still see the failure, not a handled message.
    const envelope = aDecisionEnvelope();
    await kafka.produce(routes.names.steps.decision, [
      { key: envelope.runId, value: JSON.stringify(envelope) },
    ]);
    await expectEventually(() =>
      expect(decisionAttempts.filter((id) => id === envelope.envelopeId)).toHaveLength(2),
    );
  });
});
