import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';
import { UUID_V7_PATTERN } from '@baton/contracts';

/** `GET /v1/effects` query: the writes of one run, or on one limit key. */
export class ListEffectsQuery {
  @IsOptional()
  @Matches(UUID_V7_PATTERN, { message: 'runId must be a run id (a UUIDv7)' })
  runId?: string;
  /** A limit key, such as an invoice id. */
  @IsOptional() @IsString() @Length(1, 500) key?: string;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500) limit?: number;
}
