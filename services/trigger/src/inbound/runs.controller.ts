import {
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
  UseInterceptors,
} from '@nestjs/common';
import { Type } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Max,
  Min,
} from 'class-validator';
import { ApiBody, ApiOperation } from '@nestjs/swagger';
import { JSONSchema } from 'class-validator-jsonschema';
import { RUN_STATUSES, TriggerEvent, decodeAs, decodeTriggerEvent } from '@baton/contracts';
import { ANSWER_AT_COMMIT, type MessagingRuntime } from '@baton/messaging';
import {
  ApiAnswers,
  ApiQueryOf,
  CurrentPrincipal,
  InputErrorCode,
  MESSAGING_RUNTIME,
  Roles,
  schemaRef,
  type Principal,
} from '@baton/service-kit';
import { TriggerErrorCode } from '../domain/trigger-error.js';
import { CancelRunUseCase, CancelledRun } from '../use-cases/cancel-run/cancel-run.use-case.js';
import {
  QueryRunsUseCase,
  RunDetail,
  RunPage,
} from '../use-cases/query-runs/query-runs.use-case.js';
import {
  IgnoredEvent,
  StartRunUseCase,
  StartedRun,
  isIgnored,
} from '../use-cases/start-run/start-run.use-case.js';
import { TriggerErrorMapping, refuse } from './trigger.exception.js';

export class ListRunsQuery {
  @IsOptional() @IsString() workflowId?: string;
  @IsOptional() @IsIn(RUN_STATUSES) status?: string;
  @IsOptional() @IsISO8601() since?: string;
  @IsOptional() @IsISO8601() until?: string;
  @IsOptional() @IsUUID() cursor?: string;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(200) limit?: number;
}

export class CancelRunBody {
  @IsString() @Length(1, 1000) reason!: string;
}

/** `POST /v1/triggers` when a run started or the key was seen: the run, and who sent the event. */
export class AcceptedTrigger extends StartedRun {
  @JSONSchema({ description: 'The name of the API key that sent the event.' })
  @IsString()
  acceptedBy!: string;
}

/** `POST /v1/triggers` when the workflow's filters ignored the event. */
export class IgnoredTrigger extends IgnoredEvent {
  @JSONSchema({ description: 'The name of the API key that sent the event.' })
  @IsString()
  acceptedBy!: string;
}

interface Reply {
  status(code: number): unknown;
}

const runId = () =>
  new ParseUUIDPipe({
    exceptionFactory: () =>
      refuse(TriggerErrorCode.InvalidRunId, ['id: must be a run id (a UUID)']),
  });

/** The HTTP face of the trigger service: start runs, read the run ledger. */
@Controller('v1')
@UseInterceptors(TriggerErrorMapping)
export class RunsController {
  constructor(
    private readonly startRun: StartRunUseCase,
    private readonly queryRuns: QueryRunsUseCase,
    private readonly cancelRun: CancelRunUseCase,
    @Inject(MESSAGING_RUNTIME) private readonly runtime: MessagingRuntime,
  ) {}

  /**
   * 202 with the new run; 200 with the existing run when the same event (same digest) was seen
   * with this idempotency key; 409 when the key was used for a different event; 200
   * `{ status: "ignored", reason }` when the event does not match the workflow's filters.
   */
  @Post('triggers')
  @Roles('publisher')
  @ApiOperation({ summary: 'Start a run from a trigger event' })
  @ApiBody({ schema: schemaRef(TriggerEvent) })
  @ApiAnswers({
    202: {
      description: 'A run started (`status: "running"`, `duplicate: false`).',
      schema: schemaRef(AcceptedTrigger),
    },
    200: {
      description:
        'The same event was seen with this idempotency key (`duplicate: true`, its run), or the workflow\'s filters ignored it (`status: "ignored"`, `reason`).',
      schema: { oneOf: [schemaRef(AcceptedTrigger), schemaRef(IgnoredTrigger)] },
    },
    400: '`invalid-event`: a field breaks the contract (`problems` by path).',
    409: '`idempotency-key-reused`: the key started a run for a different event.',
    422: '`unknown-workflow`, `event-type-not-accepted` or `missing-data`.',
  })
  @InputErrorCode(TriggerErrorCode.InvalidEvent)
  async trigger(
    @Body() body: unknown,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) reply: Reply,
  ): Promise<AcceptedTrigger | IgnoredTrigger> {
    const decoded = decodeTriggerEvent(body);
    if (!decoded.ok) throw refuse(TriggerErrorCode.InvalidEvent, decoded.errors);
    // Answered at commit: the run's first step is safe in the outbox, whatever the broker does.
    const run = await this.runtime.transaction(
      (tx) => this.startRun.execute(decoded.value, tx),
      'baton.trigger.start',
      ANSWER_AT_COMMIT,
    );
    reply.status(isIgnored(run) || run.duplicate ? 200 : 202);
    return { ...run, acceptedBy: principal.name };
  }

  @Get('runs')
  @Roles('reviewer')
  @ApiOperation({ summary: 'List runs, newest first' })
  @ApiQueryOf(ListRunsQuery)
  @ApiAnswers({
    200: { description: 'A page of runs, newest first.', schema: schemaRef(RunPage) },
    400: '`invalid-query`, by parameter.',
  })
  list(@Query() query: Record<string, unknown>): Promise<RunPage> {
    const decoded = decodeAs(ListRunsQuery, query);
    if (!decoded.ok) throw refuse(TriggerErrorCode.InvalidQuery, decoded.errors);
    return this.queryRuns.list({ ...decoded.value, limit: decoded.value.limit ?? 50 });
  }

  /** Ends a run that has not ended; 409 when it already has. */
  @Post('runs/:id/cancel')
  @Roles('reviewer')
  @ApiOperation({ summary: 'Cancel a run that has not ended' })
  @ApiBody({ schema: schemaRef(CancelRunBody) })
  @ApiAnswers({
    200: { description: 'The run is cancelled.', schema: schemaRef(CancelledRun) },
    400: '`invalid-body` without a reason; `invalid-run-id` when the id is not a UUID.',
    404: '`run-not-found`.',
    409: '`run-ended`: the run has already ended.',
  })
  @HttpCode(200)
  cancel(
    @Param('id', runId()) id: string,
    @Body() body: unknown,
    @CurrentPrincipal() principal: Principal,
  ): Promise<CancelledRun> {
    const decoded = decodeAs(CancelRunBody, body);
    if (!decoded.ok) throw refuse(TriggerErrorCode.InvalidBody, decoded.errors);
    return this.runtime.transaction(
      (tx) => this.cancelRun.execute(id, decoded.value.reason, principal.name, tx),
      'baton.run.cancel',
      ANSWER_AT_COMMIT,
    );
  }

  @Get('runs/:id')
  @Roles('reviewer')
  @ApiOperation({ summary: 'One run with every step, its outcome and its trace id' })
  @ApiAnswers({
    200: { description: 'The run, its trigger and its steps.', schema: schemaRef(RunDetail) },
    400: '`invalid-run-id`: the id is not a UUID.',
    404: '`run-not-found`.',
  })
  @HttpCode(200)
  get(@Param('id', runId()) id: string): Promise<RunDetail> {
    return this.queryRuns.get(id);
  }
}
