import { Inject, Injectable } from '@nestjs/common';
import { Type } from 'class-transformer';
import { IsArray, IsString, ValidateNested } from 'class-validator';
import type { DataSource } from 'typeorm';
import { Nullable } from '@baton/contracts';
import { CLOCK, DATA_SOURCE, type Clock } from '@baton/service-kit';
import { TaskSummary, toSummary, type TaskStatus } from '../../domain/task.js';
import { TaskStore } from '../../store/task-store.js';

export interface TaskQuery {
  status?: TaskStatus;
  queue?: string;
  workflowId?: string;
  runId?: string;
  limit?: number;
  cursor?: string;
}

/** `GET /v1/tasks`: a page of tasks, newest first. */
export class TaskPage {
  @IsArray() @ValidateNested({ each: true }) @Type(() => TaskSummary) items!: TaskSummary[];
  @Nullable('Pass as `cursor` for the next (older) page; null on the last page.')
  @IsString()
  nextCursor!: string | null;
}

export const DEFAULT_PAGE_SIZE = 50;

/** Tasks newest first, filtered by status, queue, workflow and run, a page at a time. */
@Injectable()
export class ListTasksUseCase {
  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly tasks: TaskStore,
  ) {}

  async execute(query: TaskQuery): Promise<TaskPage> {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const rows = await this.tasks.list(this.dataSource.manager, {
      ...(query.status ? { status: query.status } : {}),
      ...(query.queue ? { queue: query.queue } : {}),
      ...(query.workflowId ? { workflowId: query.workflowId } : {}),
      ...(query.runId ? { runId: query.runId } : {}),
      ...(query.cursor ? { before: query.cursor } : {}),
      limit: limit + 1,
    });
    const page = rows.slice(0, limit);
    const now = this.clock.now();
    return {
      items: page.map((row) => toSummary(row, now)),
      nextCursor: rows.length > limit ? page[page.length - 1]!.id : null,
    };
  }
}
