import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import type { StepEnvelope } from '@baton/contracts';
import { OnMessage, type HandlerContext } from '@baton/messaging';
import { DecideNextStepUseCase } from '../use-cases/decide-next-step/decide-next-step.use-case.js';

@Controller()
export class DecisionController {
  constructor(private readonly decideNextStep: DecideNextStepUseCase) {}

  @OnMessage('step.decision')
  async decide(
    @Payload() envelope: StepEnvelope<'decision'>,
    @Ctx() ctx: HandlerContext,
  ): Promise<void> {
    await this.decideNextStep.execute(envelope, ctx);
  }
}
