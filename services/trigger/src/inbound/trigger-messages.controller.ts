import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import type { RunEvent, TriggerEvent } from '@baton/contracts';
import { OnMessage, PermanentFailure, type HandlerContext } from '@baton/messaging';
import { TriggerError } from '../domain/trigger-error.js';
import { countRunEvent } from './run-event-metrics.js';
import { RecordRunEventUseCase } from '../use-cases/record-run-event/record-run-event.use-case.js';
import { StartRunUseCase } from '../use-cases/start-run/start-run.use-case.js';

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
      await this.startRun.execute(event, ctx);
      // The runs table, not the inbox, de-duplicates trigger events: by (tenant, key), and by
      // digest. The inbox would drop every later record with the key (its message id) unseen,
      // so the claim is taken back: a resend of the event gets its run again (nothing new
      // starts), the key reused for a different event is dead-lettered, and an ignored event
      // (the filters did not hold; logged by the use case) leaves its key unspent.
      await ctx.release();
    } catch (error) {
      // A refused event will be refused again: dead-letter it now, with the fields at fault.
      if (error instanceof TriggerError)
        throw new PermanentFailure(`${error.code}: ${error.problems.join('; ')}`);
      throw error;
    }
  }

  @OnMessage('run.events')
  async runEvent(@Payload() event: RunEvent, @Ctx() ctx: HandlerContext): Promise<void> {
    await this.recordRunEvent.execute(event, ctx);
    countRunEvent(event);
  }
}
