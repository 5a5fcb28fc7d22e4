import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import type { StepEnvelope } from '@baton/contracts';
import {
  OnMessage,
  PrepareMessage,
  type HandlerContext,
  type PrepareContext,
} from '@baton/messaging';
import {
  DecideNextStepUseCase,
  type PreparedDecision,
} from '../use-cases/decide-next-step/decide-next-step.use-case.js';

@Controller()
export class DecisionController {
  constructor(private readonly decideNextStep: DecideNextStepUseCase) {}

  /** Before the step's transaction, holding no connection: the model call, if the step makes one. */
  @PrepareMessage('step.decision')
  async prepare(
    @Payload() envelope: StepEnvelope<'decision'>,
    @Ctx() ctx: PrepareContext,
  ): Promise<PreparedDecision> {
    return this.decideNextStep.prepare(envelope, ctx);
  }

  /** The step's transaction: what was prepared is applied and sent on. */
  @OnMessage('step.decision')
  async decide(
    @Payload() envelope: StepEnvelope<'decision'>,
    @Ctx() ctx: HandlerContext<PreparedDecision | undefined>,
  ): Promise<void> {
    await this.decideNextStep.execute(envelope, ctx);
  }
}
