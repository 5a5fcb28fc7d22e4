import { Module } from '@nestjs/common';
import { DecisionController } from './decision.controller.js';
import { DecideNextStepUseCase } from './use-cases/decide-next-step/decide-next-step.use-case.js';

/** The decision step. Its config and model client come from the service definition. */
@Module({
  controllers: [DecisionController],
  providers: [DecideNextStepUseCase],
})
export class DecisionModule {}
