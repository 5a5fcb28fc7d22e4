import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import type { StepEnvelope } from '@baton/contracts';
import { OnMessage, type HandlerContext } from '@baton/messaging';
import { RecordResultUseCase } from '../use-cases/record-result/record-result.use-case.js';
import { ValidateProposalUseCase } from '../use-cases/validate-proposal/validate-proposal.use-case.js';

@Controller()
export class ValidationController {
  constructor(
    private readonly validateProposal: ValidateProposalUseCase,
    private readonly recordResult: RecordResultUseCase,
  ) {}

  /** Without a result it is a proposal to check; with one, an executed action to record. */
  @OnMessage('step.validation')
  async validate(
    @Payload() envelope: StepEnvelope<'validation'>,
    @Ctx() ctx: HandlerContext,
  ): Promise<void> {
    const { result } = envelope.payload;
    if (result) await this.recordResult.execute(envelope, result, ctx);
    else await this.validateProposal.execute(envelope, ctx);
  }
}
