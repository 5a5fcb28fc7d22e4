import { Controller, Get, Query, UseInterceptors, UsePipes } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import { ApiAnswers, ApiQueryOf, Roles, schemaRef } from '@baton/service-kit';
import { ListEffectsQuery } from './dto/list-effects.query.js';
import { requestValidationPipe } from './dto/validation.pipe.js';
import { EscalationErrorMapping } from './escalation.exception.js';
import {
  EffectsPage,
  ListEffectsUseCase,
} from '../use-cases/list-effects/list-effects.use-case.js';

/** What was already written, as the effect limits count it: for reviewers. */
@Roles('reviewer')
@UsePipes(requestValidationPipe())
@UseInterceptors(EscalationErrorMapping)
@Controller('v1/effects')
export class EffectsController {
  constructor(private readonly listEffects: ListEffectsUseCase) {}

  @Get()
  @ApiOperation({ summary: 'The writes counted toward effect limits, of one run or one limit key' })
  @ApiQueryOf(ListEffectsQuery)
  @ApiAnswers({
    200: { description: 'The writes, newest first.', schema: schemaRef(EffectsPage) },
    400: '`filter-required` without `runId` or `key`; `invalid-request`.',
  })
  list(@Query() query: ListEffectsQuery): Promise<EffectsPage> {
    return this.listEffects.execute(query);
  }
}
