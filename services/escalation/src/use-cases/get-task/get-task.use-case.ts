import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { DATA_SOURCE } from '@baton/service-kit';
import { CLOCK, type Clock } from '../../clock.js';
import { toDetail, type TaskDetail } from '../../tasks/task.js';
import { loadTask } from '../../tasks/task-store.js';

/** One task with everything a reviewer needs; 404 when there is no such task. */
@Injectable()
export class GetTaskUseCase {
  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute(id: string): Promise<TaskDetail> {
    return toDetail(await loadTask(this.dataSource.manager, id), this.clock.now());
  }
}
