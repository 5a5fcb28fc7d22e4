import { Module } from '@nestjs/common';
import { EndedRunsModule } from '@baton/service-kit';
import { DecisionController } from './decision.controller.js';
import { DecideNextStepUseCase } from './use-cases/decide-next-step/decide-next-step.use-case.js';

/**
 * The decision step, and the ended runs it no longer decides (the run-ended topic). Its config
 * and model client come from the service definition.
 */
@Module({
  imports: [EndedRunsModule],
  controllers: [DecisionController],
  providers: [DecideNextStepUseCase],
})
export class DecisionModule {}
