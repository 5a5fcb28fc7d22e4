import { IsObject, IsOptional, IsString, Length, Matches } from 'class-validator';
import { JsonValue, REASON_MAX } from '@baton/contracts';

/** `POST /v1/tasks/:id/approve`: the proposal as it is, or with the reviewer's edits. */
export class ApproveTaskDto {
  /** Replace the proposal's args (an approval with other args is recorded as `edited`). */
  @IsOptional() @IsObject() @JsonValue() args?: Record<string, unknown>;
  /** Only for a task without a proposed action: the granted tool to run, with `args`. */
  @IsOptional()
  @Matches(/^[a-z][a-z0-9-]{0,62}$/, {
    message: 'tool must be lowercase letters, digits and dashes',
  })
  tool?: string;
  @IsOptional() @IsString() @Length(1, REASON_MAX) note?: string;
}
