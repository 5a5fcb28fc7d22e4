import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import type { EffectRecord, RunEvent, StepEnvelope } from '@baton/contracts';
import { OnMessage, type HandlerContext } from '@baton/messaging';
import { CloseRunTasksUseCase } from '../use-cases/close-run-tasks/close-run-tasks.use-case.js';
import { CreateTaskUseCase } from '../use-cases/create-task/create-task.use-case.js';
import { RecordEffectUseCase } from '../use-cases/record-effect/record-effect.use-case.js';

/**
 * Escalated runs arrive here and become review tasks; ended runs close theirs; executed writes
 * join the service's copy of the effect ledger (for checking approvals against effect limits).
 */
@Controller()
export class EscalationController {
  constructor(
    private readonly createTask: CreateTaskUseCase,
    private readonly closeRunTasks: CloseRunTasksUseCase,
    private readonly recordEffect: RecordEffectUseCase,
  ) {}

  @OnMessage('step.escalation')
  async escalate(
    @Payload() envelope: StepEnvelope<'escalation'>,
    @Ctx() ctx: HandlerContext,
  ): Promise<void> {
    await this.createTask.execute(envelope, ctx);
  }

  @OnMessage('run.ended')
  async runEvent(@Payload() event: RunEvent, @Ctx() ctx: HandlerContext): Promise<void> {
    await this.closeRunTasks.execute(event, ctx.manager);
  }

  @OnMessage('effects')
  async effect(@Payload() effect: EffectRecord, @Ctx() ctx: HandlerContext): Promise<void> {
    await this.recordEffect.execute(effect, ctx.manager);
  }
}
