import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import type { StepEnvelope } from '@baton/contracts';
import { OnMessage, type HandlerContext } from '@baton/messaging';
import { CreateTaskUseCase } from './use-cases/create-task/create-task.use-case.js';

/** Escalated runs arrive here and become review tasks. */
@Controller()
export class EscalationController {
  constructor(private readonly createTask: CreateTaskUseCase) {}

  @OnMessage('step.escalation')
  async escalate(
    @Payload() envelope: StepEnvelope<'escalation'>,
    @Ctx() ctx: HandlerContext,
  ): Promise<void> {
    await this.createTask.execute(envelope, ctx);
  }
}
