import { Controller, Get, Query, UseInterceptors, UsePipes } from '@nestjs/common';
import type { LedgerRow } from '@baton/effects';
import { Roles } from '@baton/service-kit';
import { ListEffectsQuery } from './dto/list-effects.query.js';
import { requestValidationPipe } from './dto/validation.pipe.js';
import { EscalationErrorMapping } from './escalation.exception.js';
import { ListEffectsUseCase } from '../use-cases/list-effects/list-effects.use-case.js';

/** What was already written, as the effect limits count it: for reviewers. */
@Roles('reviewer')
@UsePipes(requestValidationPipe())
@UseInterceptors(EscalationErrorMapping)
@Controller('v1/effects')
export class EffectsController {
  constructor(private readonly listEffects: ListEffectsUseCase) {}

  @Get()
  list(@Query() query: ListEffectsQuery): Promise<{ items: LedgerRow[] }> {
    return this.listEffects.execute(query);
  }
}
