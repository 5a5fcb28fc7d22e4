import {
  Controller,
  Get,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Post,
  Query,
  UseInterceptors,
} from '@nestjs/common';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, IsUUID, Length, Max, Min } from 'class-validator';
import { ApiOperation } from '@nestjs/swagger';
import { JSONSchema } from 'class-validator-jsonschema';
import { decodeAs } from '@baton/contracts';
import { DEAD_LETTER_REASONS } from '@baton/messaging';
import {
  ApiAnswers,
  ApiQueryOf,
  CurrentPrincipal,
  Roles,
  schemaRef,
  type Principal,
} from '@baton/service-kit';
import { TriggerErrorCode } from '../domain/trigger-error.js';
import {
  DeadLetterDetail,
  DeadLetterPage,
  DeadLettersUseCase,
} from '../use-cases/dead-letters/dead-letters.use-case.js';
import { TriggerErrorMapping, refuse } from './trigger.exception.js';

export class ListDeadLettersQuery {
  @JSONSchema({ description: 'Only this dead-letter topic (`<topic>.dlq`).' })
  @IsOptional()
  @IsString()
  @Length(1, 249)
  topic?: string;
  @IsOptional() @IsIn([...DEAD_LETTER_REASONS, 'unknown']) reason?: string;
  @JSONSchema({ description: '`open`: never replayed; `replayed`: replayed at least once.' })
  @IsOptional()
  @IsIn(['open', 'replayed'])
  status?: 'open' | 'replayed';
  @IsOptional() @IsUUID() cursor?: string;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(200) limit?: number;
}

const deadLetterId = () =>
  new ParseUUIDPipe({
    exceptionFactory: () =>
      refuse(TriggerErrorCode.InvalidQuery, ['id: must be a dead letter id (a UUID)']),
  });

/**
 * Dead letters (docs/messaging.md#operating-dead-letter-topics), for admins: what lies in each
 * dead-letter topic and why, and a replay of one record once its cause is fixed.
 */
@Controller('v1/dead-letters')
@UseInterceptors(TriggerErrorMapping)
export class DeadLettersController {
  constructor(private readonly deadLetters: DeadLettersUseCase) {}

  @Get()
  @Roles('admin')
  @ApiOperation({ summary: 'What lies in the dead-letter topics, newest first, and why' })
  @ApiQueryOf(ListDeadLettersQuery)
  @ApiAnswers({
    200: {
      description: 'A page of dead letters and every dead-letter topic’s counts.',
      schema: schemaRef(DeadLetterPage),
    },
    400: '`invalid-query`, by parameter.',
  })
  list(@Query() query: Record<string, unknown>): Promise<DeadLetterPage> {
    const decoded = decodeAs(ListDeadLettersQuery, query);
    if (!decoded.ok) throw refuse(TriggerErrorCode.InvalidQuery, decoded.errors);
    const { limit, ...filter } = decoded.value;
    return this.deadLetters.list({ ...filter, limit: limit ?? 50 });
  }

  @Get(':id')
  @Roles('admin')
  @ApiOperation({ summary: 'One dead letter with its value and headers' })
  @ApiAnswers({
    200: { description: 'The dead letter.', schema: schemaRef(DeadLetterDetail) },
    400: '`invalid-query`: the id is not a UUID.',
    404: '`dead-letter-not-found`.',
  })
  get(@Param('id', deadLetterId()) id: string): Promise<DeadLetterDetail> {
    return this.deadLetters.get(id);
  }

  /** Sends the record back to the topic it was read from; repeatable, each replay counted. */
  @Post(':id/replay')
  @Roles('admin')
  @ApiOperation({ summary: 'Replay a dead letter to its source topic, as it was' })
  @ApiAnswers({
    200: {
      description: 'Sent back (`replays`, `replayedAt`, `replayedBy` say so).',
      schema: schemaRef(DeadLetterDetail),
    },
    400: '`invalid-query`: the id is not a UUID.',
    404: '`dead-letter-not-found`.',
  })
  @HttpCode(200)
  replay(
    @Param('id', deadLetterId()) id: string,
    @CurrentPrincipal() principal: Principal,
  ): Promise<DeadLetterDetail> {
    return this.deadLetters.replay(id, principal);
  }
}
