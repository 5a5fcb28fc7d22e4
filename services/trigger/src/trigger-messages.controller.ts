import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import type { RunEvent, TriggerEvent } from '@baton/contracts';
import { OnMessage, PermanentFailure, type HandlerContext } from '@baton/messaging';
import { TriggerException } from './trigger.exception.js';
import { RecordRunEventUseCase } from './use-cases/record-run-event/record-run-event.use-case.js';
import { StartRunUseCase, isIgnored } from './use-cases/start-run/start-run.use-case.js';

/** Trigger events from the ingress topic, and the run events the ledger is kept from. */
@Controller()
export class TriggerMessagesController {
  constructor(
    private readonly startRun: StartRunUseCase,
    private readonly recordRunEvent: RecordRunEventUseCase,
  ) {}

  @OnMessage('trigger.ingress')
  async ingress(@Payload() event: TriggerEvent, @Ctx() ctx: HandlerContext): Promise<void> {
    try {
      const result = await this.startRun.execute(event, ctx);
      // Ignored (the workflow's filters did not hold; logged by the use case): not a dead
      // letter, and the key is not spent, so a later matching event with it is not a duplicate.
      if (isIgnored(result)) await ctx.release();
    } catch (error) {
      // A refused event will be refused again: dead-letter it now, with the fields at fault.
      if (error instanceof TriggerException)
        throw new PermanentFailure(`${error.code}: ${error.problems.join('; ')}`);
      throw error;
    }
  }

  @OnMessage('run.events')
  async runEvent(@Payload() event: RunEvent, @Ctx() ctx: HandlerContext): Promise<void> {
    await this.recordRunEvent.execute(event, ctx.manager);
  }
}
