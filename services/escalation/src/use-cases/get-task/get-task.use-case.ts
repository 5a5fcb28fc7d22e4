import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { CLOCK, DATA_SOURCE, type Clock } from '@baton/service-kit';
import type { TaskDetail } from '../../domain/task.js';
import { TaskStore } from '../../store/task-store.js';
import { TaskDetails } from '../task-details.js';

/**
 * One task with everything a reviewer needs (who has claimed it, its moves and the
 * notifications its escalation chain sent); 404 when there is no such task.
 */
@Injectable()
export class GetTaskUseCase {
  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly tasks: TaskStore,
    private readonly details: TaskDetails,
  ) {}

  async execute(id: string): Promise<TaskDetail> {
    const manager = this.dataSource.manager;
    return this.details.of(manager, await this.tasks.load(manager, id), this.clock.now());
  }
}
