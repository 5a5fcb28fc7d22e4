import {
  Body,
  Controller,
  Get,
  HttpCode,
  Inject,
  Param,
  ParseUUIDPipe,
  Post,
  UseInterceptors,
} from '@nestjs/common';
import { ApiBody, ApiOperation } from '@nestjs/swagger';
import { IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { JSONSchema } from 'class-validator-jsonschema';
import { INT32_MAX, decodeAs } from '@baton/contracts';
import {
  ApiAnswers,
  CLOCK,
  CurrentPrincipal,
  Roles,
  schemaRef,
  type Clock,
  type Principal,
} from '@baton/service-kit';
import { TriggerErrorCode } from '../domain/trigger-error.js';
import {
  BacktestReport,
  ReportBacktestUseCase,
} from '../use-cases/report-backtest/report-backtest.use-case.js';
import {
  BACKTEST_LIMIT_DEFAULT,
  BACKTEST_LIMIT_MAX,
  StartBacktestUseCase,
  StartedBacktest,
} from '../use-cases/start-backtest/start-backtest.use-case.js';
import { TriggerErrorMapping, refuse } from './trigger.exception.js';
import { TIME, TIME_MESSAGE, timeOf } from './time-window.js';

/** `POST /v1/workflows/{id}/backtests`. */
export class StartBacktestBody {
  @JSONSchema({
    description: 'The candidate version: every run is replayed against it, in shadow.',
  })
  @IsInt()
  @Min(1)
  @Max(INT32_MAX)
  version!: number;
  @JSONSchema({
    description:
      'The version whose recorded runs are replayed; the highest live (not candidate) version below `version` when absent.',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(INT32_MAX)
  against?: number;
  @JSONSchema({
    description: 'Runs started at or after: an ISO 8601 time or a time ago (7d). Default 7d.',
  })
  @IsOptional()
  @Matches(TIME, { message: `since ${TIME_MESSAGE}` })
  since?: string;
  @JSONSchema({ description: 'Runs started before: same forms. Default now.' })
  @IsOptional()
  @Matches(TIME, { message: `until ${TIME_MESSAGE}` })
  until?: string;
  @JSONSchema({
    description: `At most this many runs, oldest first (default ${BACKTEST_LIMIT_DEFAULT}).`,
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(BACKTEST_LIMIT_MAX)
  limit?: number;
}

/** Backtests (docs/changing-workflows.md): replay past triggers against a version, in shadow. */
@Controller('v1')
@UseInterceptors(TriggerErrorMapping)
export class BacktestsController {
  constructor(
    private readonly startBacktest: StartBacktestUseCase,
    private readonly reportBacktest: ReportBacktestUseCase,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Post('workflows/:id/backtests')
  @Roles('admin')
  @ApiOperation({ summary: 'Start a backtest: replay recorded triggers against a version' })
  @ApiBody({ schema: schemaRef(StartBacktestBody) })
  @ApiAnswers({
    202: {
      description: 'Started: its runs start a few at a time; `GET /v1/backtests/{id}` reports.',
      schema: schemaRef(StartedBacktest),
    },
    400: '`invalid-body`, by field.',
    404: '`workflow-not-found`: the version is not published.',
  })
  @HttpCode(202)
  start(
    @Param('id') workflowId: string,
    @Body() body: unknown,
    @CurrentPrincipal() principal: Principal,
  ): Promise<StartedBacktest> {
    const decoded = decodeAs(StartBacktestBody, body ?? {});
    if (!decoded.ok) throw refuse(TriggerErrorCode.InvalidBody, decoded.errors);
    const { version, against, since, until, limit } = decoded.value;
    const now = this.clock.now();
    const from = timeOf(since ?? '7d', now);
    const to = until === undefined ? now : timeOf(until, now);
    const problems = [
      ...(!from ? [`since ${TIME_MESSAGE}`] : []),
      ...(!to ? [`until ${TIME_MESSAGE}`] : []),
    ];
    if (problems.length) throw refuse(TriggerErrorCode.InvalidBody, problems);
    return this.startBacktest.execute(
      {
        workflowId,
        version,
        ...(against !== undefined ? { against } : {}),
        since: from!,
        until: to!,
        limit: limit ?? BACKTEST_LIMIT_DEFAULT,
      },
      principal,
      now,
    );
  }

  @Get('backtests/:id')
  @Roles('reviewer')
  @ApiOperation({ summary: 'A backtest report: run by run and in total, old beside new' })
  @ApiAnswers({
    200: { description: 'The report.', schema: schemaRef(BacktestReport) },
    400: '`invalid-query`: the id is not a UUID.',
    404: '`backtest-not-found`.',
  })
  report(
    @Param(
      'id',
      new ParseUUIDPipe({
        exceptionFactory: () =>
          refuse(TriggerErrorCode.InvalidQuery, ['id: must be a backtest id (a UUID)']),
      }),
    )
    id: string,
  ): Promise<BacktestReport> {
    return this.reportBacktest.execute(id);
  }
}
