import { Controller, Get, Inject, Param, Query, UseInterceptors } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { decodeAs } from '@baton/contracts';
import { ApiAnswers, ApiQueryOf, CLOCK, Roles, schemaRef, type Clock } from '@baton/service-kit';
import { TriggerErrorCode } from '../domain/trigger-error.js';
import {
  QueryStepValueUseCase,
  STEP_VALUE_MIN_RUNS,
  StepValueAnswer,
} from '../use-cases/query-step-value/query-step-value.use-case.js';
import { TriggerErrorMapping, refuse } from './trigger.exception.js';
import { TIME, TIME_MESSAGE, timeOf } from './time-window.js';

const NAME = /^[a-z][a-z0-9-]{0,62}$/;

export class StepValueQuery {
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(2147483647) version?: number;
  @IsOptional() @Matches(TIME, { message: `since ${TIME_MESSAGE}` }) since?: string;
  @IsOptional() @Matches(TIME, { message: `until ${TIME_MESSAGE}` }) until?: string;
  /** The sample a verdict needs; default STEP_VALUE_MIN_RUNS. */
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(1_000_000) minRuns?: number;
}

/** The step-value report of a workflow version (docs/outcomes.md, "Step value"). */
@Controller('v1/workflows')
@UseInterceptors(TriggerErrorMapping)
export class StepValueController {
  constructor(
    private readonly stepValue: QueryStepValueUseCase,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Per source, rule, check, approval and tool: how often it changed a run's course. */
  @Get(':id/step-value')
  @Roles('reviewer')
  @ApiOperation({
    summary: 'Per step of a workflow version, how often it changed a run (docs/outcomes.md)',
  })
  @ApiQueryOf(StepValueQuery)
  @ApiAnswers({
    200: {
      description: `Counts, a rate and a verdict per source, rule, check, approval and tool; a verdict needs \`minRuns\` (default ${STEP_VALUE_MIN_RUNS}).`,
      schema: schemaRef(StepValueAnswer),
    },
    400: '`invalid-query`, by parameter.',
    404: '`workflow-not-found`: the workflow, or the version, is not published.',
  })
  async get(
    @Param('id') id: string,
    @Query() query: Record<string, unknown>,
  ): Promise<StepValueAnswer> {
    const decoded = decodeAs(StepValueQuery, query);
    if (!decoded.ok) throw refuse(TriggerErrorCode.InvalidQuery, decoded.errors);
    const { version, since, until, minRuns } = decoded.value;
    const now = this.clock.now();
    const from = since === undefined ? undefined : timeOf(since, now);
    const to = until === undefined ? undefined : timeOf(until, now);
    const problems = [
      ...(NAME.test(id) ? [] : ['id: a workflow id is lowercase letters, digits and dashes']),
      ...(since !== undefined && !from ? [`since ${TIME_MESSAGE}`] : []),
      ...(until !== undefined && !to ? [`until ${TIME_MESSAGE}`] : []),
    ];
    if (problems.length) throw refuse(TriggerErrorCode.InvalidQuery, problems);
    return this.stepValue.report(
      {
        workflowId: id,
        ...(version !== undefined ? { version } : {}),
        ...(from ? { since: from } : {}),
        ...(to ? { until: to } : {}),
      },
      minRuns,
    );
  }
}
