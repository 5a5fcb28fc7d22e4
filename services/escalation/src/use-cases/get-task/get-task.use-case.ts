import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { DATA_SOURCE } from '@baton/service-kit';
import { CLOCK, type Clock } from '@baton/service-kit';
import type { TaskDetail } from '../../tasks/task.js';
import { detailOf } from '../../tasks/task-detail.js';
import { loadTask } from '../../tasks/task-store.js';

/**
 * One task with everything a reviewer needs (who has claimed it, its moves and the
 * notifications its escalation chain sent); 404 when there is no such task.
 */
@Injectable()
export class GetTaskUseCase {
  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute(id: string): Promise<TaskDetail> {
    const manager = this.dataSource.manager;
    return detailOf(manager, await loadTask(manager, id), this.clock.now());
  }
}
