import { Controller, Module } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import type { RunEvent } from '@baton/contracts';
import { OnMessage, type HandlerContext } from '@baton/messaging';
import { EndedRuns } from './ended-runs.js';

/** Follows the run-ended topic into the service's `ended_runs`. */
@Controller()
export class EndedRunsController {
  constructor(private readonly endedRuns: EndedRuns) {}

  @OnMessage('run.ended')
  async runEnded(@Payload() event: RunEvent, @Ctx() ctx: HandlerContext): Promise<void> {
    await this.endedRuns.record(ctx.manager, event);
  }
}

/**
 * What a step service imports to know which runs have ended: it follows the run-ended topic
 * and gives its use cases `EndedRuns` (with the `CreateEndedRuns` migration, or a table of the
 * same shape, in its schema).
 */
@Module({
  controllers: [EndedRunsController],
  providers: [EndedRuns],
  exports: [EndedRuns],
})
export class EndedRunsModule {}
