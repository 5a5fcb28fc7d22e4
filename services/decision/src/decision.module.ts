import { Module } from '@nestjs/common';
import { EndedRunsModule } from '@baton/service-kit';
import { DecisionController } from './inbound/decision.controller.js';
import { ModelAnswersRepository } from './store/model-answers.repository.js';
import { ModelCallsRepository } from './store/model-calls.repository.js';
import { DecideNextStepUseCase } from './use-cases/decide-next-step/decide-next-step.use-case.js';

/**
 * The decision step, and the ended runs it no longer decides (the run-ended topic). Its config
 * model client and its admission limits come from the service definition.
 */
@Module({
  imports: [EndedRunsModule],
  controllers: [DecisionController],
  providers: [DecideNextStepUseCase, ModelCallsRepository, ModelAnswersRepository],
})
export class DecisionModule {}
