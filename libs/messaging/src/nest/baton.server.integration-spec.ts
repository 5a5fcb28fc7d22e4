import 'reflect-metadata';
import { Controller, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, Payload } from '@nestjs/microservices';
import type { INestMicroservice } from '@nestjs/common';
import { aContextEnvelope, nextStep, type StepEnvelope } from '@baton/contracts';
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

@Module({ controllers: [ContextController] })
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
    // The service creates what it consumes; what it emits to is provisioned with the platform.
    await kafka.createTopic(routes.names.steps.decision, 3);

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
});
