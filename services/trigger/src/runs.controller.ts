import {
  BadRequestException,
  Body,
  Controller,
  Get,
  HttpCode,
  Inject,
  Param,
  ParseUUIDPipe,
  Post,
  Query,
  Res,
  UseFilters,
} from '@nestjs/common';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsOptional, IsString, IsUUID, Max, Min } from 'class-validator';
import { RUN_STATUSES, decodeAs, decodeTriggerEvent } from '@baton/contracts';
import type { MessagingRuntime } from '@baton/messaging';
import { CurrentPrincipal, MESSAGING_RUNTIME, Roles, type Principal } from '@baton/service-kit';
import { TriggerExceptionFilter } from './trigger-exception.filter.js';
import { QueryRunsUseCase } from './use-cases/query-runs/query-runs.use-case.js';
import { StartRunUseCase } from './use-cases/start-run/start-run.use-case.js';

export class ListRunsQuery {
  @IsOptional() @IsString() workflowId?: string;
  @IsOptional() @IsIn(RUN_STATUSES) status?: string;
  @IsOptional() @IsISO8601() since?: string;
  @IsOptional() @IsISO8601() until?: string;
  @IsOptional() @IsUUID() cursor?: string;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(200) limit?: number;
}

interface Reply {
  status(code: number): unknown;
}

/** The HTTP face of the trigger service: start runs, read the run ledger. */
@Controller('v1')
@UseFilters(TriggerExceptionFilter)
export class RunsController {
  constructor(
    private readonly startRun: StartRunUseCase,
    private readonly queryRuns: QueryRunsUseCase,
    @Inject(MESSAGING_RUNTIME) private readonly runtime: MessagingRuntime,
  ) {}

  /** 202 with the new run; 200 with the existing run when the idempotency key was seen. */
  @Post('triggers')
  @Roles('publisher')
  async trigger(
    @Body() body: unknown,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) reply: Reply,
  ) {
    const decoded = decodeTriggerEvent(body);
    if (!decoded.ok)
      throw new BadRequestException({
        error: 'invalid-event',
        message: decoded.errors[0],
        problems: decoded.errors,
      });
    const run = await this.runtime.transaction((tx) => this.startRun.execute(decoded.value, tx));
    reply.status(run.duplicate ? 200 : 202);
    return { ...run, acceptedBy: principal.name };
  }

  @Get('runs')
  @Roles('reviewer')
  list(@Query() query: Record<string, unknown>) {
    const decoded = decodeAs(ListRunsQuery, query);
    if (!decoded.ok)
      throw new BadRequestException({
        error: 'invalid-query',
        message: decoded.errors[0],
        problems: decoded.errors,
      });
    return this.queryRuns.list({ ...decoded.value, limit: decoded.value.limit ?? 50 });
  }

  @Get('runs/:id')
  @Roles('reviewer')
  @HttpCode(200)
  get(@Param('id', new ParseUUIDPipe()) id: string) {
    return this.queryRuns.get(id);
  }
}
