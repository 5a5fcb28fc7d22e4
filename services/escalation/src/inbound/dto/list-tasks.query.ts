import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { UUID_V7_PATTERN, WORKFLOW_ID_PATTERN } from '@baton/contracts';
import { TASK_STATUSES, type TaskStatus } from '../../domain/task.js';

/** `GET /v1/tasks` query: filters and the page. */
export class ListTasksQuery {
  @IsOptional() @IsIn(TASK_STATUSES) status?: TaskStatus;
  @IsOptional()
  @Matches(/^[a-z][a-z0-9-]{0,62}$/, {
    message: 'queue must be lowercase letters, digits and dashes',
  })
  queue?: string;
  @IsOptional()
  @Matches(WORKFLOW_ID_PATTERN, {
    message: 'workflowId must be lowercase letters, digits and dashes',
  })
  workflowId?: string;
  /** The tasks of one run. */
  @IsOptional()
  @Matches(UUID_V7_PATTERN, { message: 'runId must be a run id (a UUIDv7)' })
  runId?: string;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(200) limit?: number;
  /** `nextCursor` of the previous page. */
  @IsOptional()
  @Matches(UUID_V7_PATTERN, { message: 'cursor must be a nextCursor from a previous page' })
  cursor?: string;
}
