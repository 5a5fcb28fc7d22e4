import { IsOptional, IsString, Length, Matches } from 'class-validator';
import { REASON_MAX } from '@baton/contracts';

/** `POST /v1/tasks/:id/reject`: a rejection always says why. */
export class RejectTaskDto {
  @IsString()
  @Length(1, REASON_MAX)
  @Matches(/\S/, { message: 'reason must not be blank' })
  reason!: string;
  @IsOptional() @IsString() @Length(1, REASON_MAX) note?: string;
}
