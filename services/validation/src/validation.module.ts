import { Module } from '@nestjs/common';
import { EndedRunsModule } from '@baton/service-kit';
import { RecordResultUseCase } from './use-cases/record-result/record-result.use-case.js';
import { ValidateProposalUseCase } from './use-cases/validate-proposal/validate-proposal.use-case.js';
import { ValidationController } from './inbound/validation.controller.js';

/** The validation step: proposals before they run, results after. */
@Module({
  imports: [EndedRunsModule],
  controllers: [ValidationController],
  providers: [ValidateProposalUseCase, RecordResultUseCase],
})
export class ValidationModule {}
