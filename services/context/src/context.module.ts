import { Module } from '@nestjs/common';
import { EndedRunsModule } from '@baton/service-kit';
import { ContextController } from './inbound/context.controller.js';
import { GatherContextUseCase } from './use-cases/gather-context/gather-context.use-case.js';
import { SourceRunner } from './use-cases/gather-context/source-runner.js';

/** The context service: gathers a run's evidence from the workflow's sources. */
@Module({
  imports: [EndedRunsModule],
  controllers: [ContextController],
  providers: [GatherContextUseCase, SourceRunner],
})
export class ContextModule {}
