import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import type { RunEvent, StepEnvelope } from '@baton/contracts';
import { OnMessage, type HandlerContext } from '@baton/messaging';
import { DecideNextStepUseCase } from './use-cases/decide-next-step/decide-next-step.use-case.js';
import { RecordRunEndUseCase } from './use-cases/record-run-end/record-run-end.use-case.js';

@Controller()
export class DecisionController {
  constructor(
    private readonly decideNextStep: DecideNextStepUseCase,
    private readonly recordRunEnd: RecordRunEndUseCase,
  ) {}

  @OnMessage('step.decision')
  async decide(
    @Payload() envelope: StepEnvelope<'decision'>,
    @Ctx() ctx: HandlerContext,
  ): Promise<void> {
    await this.decideNextStep.execute(envelope, ctx);
  }

  /** Ended runs (cancelled, or ended by any service) are not decided any further. */
  @OnMessage('run.events')
  async runEvent(@Payload() event: RunEvent, @Ctx() ctx: HandlerContext): Promise<void> {
    await this.recordRunEnd.execute(event, ctx.manager);
  }
}
