import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import type { StepEnvelope } from '@baton/contracts';
import { OnMessage, type HandlerContext } from '@baton/messaging';
import { GatherContextUseCase } from '../use-cases/gather-context/gather-context.use-case.js';

@Controller()
export class ContextController {
  constructor(private readonly gatherContext: GatherContextUseCase) {}

  @OnMessage('step.context')
  async gather(
    @Payload() envelope: StepEnvelope<'context'>,
    @Ctx() ctx: HandlerContext,
  ): Promise<void> {
    await this.gatherContext.execute(envelope, ctx);
  }
}
