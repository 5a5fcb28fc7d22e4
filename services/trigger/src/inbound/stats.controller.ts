import { Controller, Get, Inject, Query, UseInterceptors } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';
import { decodeAs } from '@baton/contracts';
import { ApiAnswers, ApiQueryOf, CLOCK, Roles, schemaRef, type Clock } from '@baton/service-kit';
import { TriggerErrorCode } from '../domain/trigger-error.js';
import {
  CorrectionsAnswer,
  QueryStatsUseCase,
  StatsAnswer,
  StatsComparison,
  type StatsFilter,
} from '../use-cases/query-stats/query-stats.use-case.js';
import { TriggerErrorMapping, refuse } from './trigger.exception.js';
import { TIME, TIME_MESSAGE, timeOf } from './time-window.js';

export class StatsQuery {
  @IsOptional() @IsString() @Length(1, 100) workflow?: string;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(2147483647) version?: number;
  @IsOptional() @IsString() @Length(1, 100) tenant?: string;
  @IsOptional() @Matches(TIME, { message: `since ${TIME_MESSAGE}` }) since?: string;
  @IsOptional() @Matches(TIME, { message: `until ${TIME_MESSAGE}` }) until?: string;
  /** Two versions of `workflow`, side by side: `3,4`. */
  @IsOptional()
  @Matches(/^\d{1,9},\d{1,9}$/, { message: 'compare must be two versions: 3,4' })
  compare?: string;
}

export class CorrectionsQuery extends StatsQuery {
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(200) limit?: number;
}

/** The outcome stats of the run ledger (docs/outcomes.md). */
@Controller('v1')
@UseInterceptors(TriggerErrorMapping)
export class StatsController {
  constructor(
    private readonly stats: QueryStatsUseCase,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * Runs started in the window (`since` inclusive, `until` exclusive), of one workflow, version
   * or tenant when given; `compare=3,4` reports two versions of `workflow` side by side.
   */
  @Get('stats')
  @Roles('reviewer')
  @ApiOperation({ summary: 'Outcome stats of the runs (docs/outcomes.md)' })
  @ApiQueryOf(StatsQuery)
  @ApiAnswers({
    200: {
      description:
        'Runs, completion, escalation and correction rates, time to outcome, review wait, cost, tokens, time saved (`StatsAnswer`); two versions side by side with `compare` (`StatsComparison`).',
      schema: { oneOf: [schemaRef(StatsAnswer), schemaRef(StatsComparison)] },
    },
    400: '`invalid-query`, by parameter.',
  })
  async get(@Query() query: Record<string, unknown>): Promise<StatsAnswer | StatsComparison> {
    const { filter, window, compare } = this.scope(StatsQuery, query);
    const { workflowId, version, tenantId } = filter;
    if (compare && workflowId) {
      const [a, b] = compare.split(',').map(Number) as [number, number];
      return {
        window,
        tenant: tenantId ?? null,
        ...(await this.stats.compare({ ...filter, workflowId }, [a, b])),
      };
    }
    return {
      window,
      workflowId: workflowId ?? null,
      version: version ?? null,
      tenant: tenantId ?? null,
      ...(await this.stats.stats(filter)),
    };
  }

  /**
   * What reviewers corrected, newest run first: each edited or rejected run with what was
   * proposed, what the reviewer sent instead and the args that changed (the same filters).
   */
  @Get('stats/corrections')
  @Roles('reviewer')
  @ApiOperation({ summary: 'What reviewers corrected, newest run first' })
  @ApiQueryOf(CorrectionsQuery)
  @ApiAnswers({
    200: {
      description:
        'Each edited or rejected run with what was proposed and what the reviewer sent instead.',
      schema: schemaRef(CorrectionsAnswer),
    },
    400: '`invalid-query`, by parameter.',
  })
  async corrections(@Query() query: Record<string, unknown>): Promise<CorrectionsAnswer> {
    const { filter, window, limit } = this.scope(CorrectionsQuery, query);
    return { window, items: await this.stats.corrections(filter, limit ?? 50) };
  }

  /** The filter a query asks for, or a 400 naming each field at fault. */
  private scope<Q extends StatsQuery>(type: new () => Q, query: Record<string, unknown>) {
    const decoded = decodeAs(type, query);
    if (!decoded.ok) throw refuse(TriggerErrorCode.InvalidQuery, decoded.errors);
    const { workflow, version, tenant, since, until, compare } = decoded.value;
    const now = this.clock.now();
    const from = since === undefined ? undefined : timeOf(since, now);
    const to = until === undefined ? undefined : timeOf(until, now);
    const problems = [
      ...(since !== undefined && !from ? [`since ${TIME_MESSAGE}`] : []),
      ...(until !== undefined && !to ? [`until ${TIME_MESSAGE}`] : []),
      ...(compare && !workflow ? ['compare: needs workflow (two versions of one workflow)'] : []),
      ...(compare && version !== undefined
        ? ['compare: give the versions there, not version']
        : []),
    ];
    if (problems.length) throw refuse(TriggerErrorCode.InvalidQuery, problems);
    const filter: StatsFilter = {
      ...(workflow ? { workflowId: workflow } : {}),
      ...(version !== undefined ? { version } : {}),
      ...(tenant ? { tenantId: tenant } : {}),
      ...(from ? { since: from } : {}),
      ...(to ? { until: to } : {}),
    };
    const window = { since: from?.toISOString() ?? null, until: to?.toISOString() ?? null };
    return { ...decoded.value, filter, window };
  }
}
