import { Module } from '@nestjs/common';
import { DecisionController } from './decision.controller.js';
import { DecideNextStepUseCase } from './use-cases/decide-next-step/decide-next-step.use-case.js';
import { RecordRunEndUseCase } from './use-cases/record-run-end/record-run-end.use-case.js';

/** The decision step, and the ended runs it no longer decides. Its config and model client come from the service definition. */
@Module({
  controllers: [DecisionController],
  providers: [DecideNextStepUseCase, RecordRunEndUseCase],
})
export class DecisionModule {}
