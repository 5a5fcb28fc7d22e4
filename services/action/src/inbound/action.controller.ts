import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import type { StepEnvelope } from '@baton/contracts';
import { OnMessage, type HandlerContext } from '@baton/messaging';
import { ExecuteToolUseCase } from '../use-cases/execute-tool/execute-tool.use-case.js';

@Controller()
export class ActionController {
  constructor(private readonly executeTool: ExecuteToolUseCase) {}

  @OnMessage('step.action')
  async execute(
    @Payload() envelope: StepEnvelope<'action'>,
    @Ctx() ctx: HandlerContext,
  ): Promise<void> {
    await this.executeTool.execute(envelope, ctx);
  }
}
