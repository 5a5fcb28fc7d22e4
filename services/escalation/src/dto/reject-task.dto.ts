import { IsOptional, IsString, Length, Matches } from 'class-validator';

/** `POST /v1/tasks/:id/reject`: a rejection always says why. */
export class RejectTaskDto {
  @IsString()
  @Length(1, 2000)
  @Matches(/\S/, { message: 'reason must not be blank' })
  reason!: string;
  @IsOptional() @IsString() @Length(1, 2000) note?: string;
}
