import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { DATA_SOURCE, type Principal } from '@baton/service-kit';
import { CLOCK, type Clock } from '@baton/service-kit';
import type { TaskDetail } from '../../tasks/task.js';
import { detailOf } from '../../tasks/task-detail.js';
import { isAdmin, refusalOf } from '../../tasks/task-guards.js';
import { releaseTask } from '../../tasks/claim-store.js';
import { loadTask } from '../../tasks/task-store.js';

/**
 * Ends the claim on an open task: the claimant's own, or anyone's for an admin. Releasing a
 * task nobody holds changes nothing; another reviewer's live claim answers 409 `task-claimed`.
 */
@Injectable()
export class ReleaseTaskUseCase {
  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute(id: string, principal: Principal): Promise<TaskDetail> {
    const manager = this.dataSource.manager;
    const task = await loadTask(manager, id);
    const now = this.clock.now();
    const released = await releaseTask(manager, task.id, {
      by: principal.name,
      at: now,
      override: isAdmin(principal),
    });
    if (!released) throw refusalOf(await loadTask(manager, id), now);
    return detailOf(manager, released, now);
  }
}
