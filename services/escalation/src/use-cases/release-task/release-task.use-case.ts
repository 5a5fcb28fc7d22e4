import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { CLOCK, DATA_SOURCE, type Clock, type Principal } from '@baton/service-kit';
import type { TaskDetail } from '../../domain/task.js';
import { isAdmin, refusalOf } from '../../domain/task-guards.js';
import { ClaimStore } from '../../store/claim-store.js';
import { TaskStore } from '../../store/task-store.js';
import { TaskDetails } from '../task-details.js';

/**
 * Ends the claim on an open task: the claimant's own, or anyone's for an admin. Releasing a
 * task nobody holds changes nothing; another reviewer's live claim answers 409 `task-claimed`.
 */
@Injectable()
export class ReleaseTaskUseCase {
  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly tasks: TaskStore,
    private readonly claims: ClaimStore,
    private readonly details: TaskDetails,
  ) {}

  async execute(id: string, principal: Principal): Promise<TaskDetail> {
    const manager = this.dataSource.manager;
    const task = await this.tasks.load(manager, id);
    const now = this.clock.now();
    const released = await this.claims.release(manager, task.id, {
      by: principal.name,
      at: now,
      override: isAdmin(principal),
    });
    if (!released) throw refusalOf(await this.tasks.load(manager, id), now);
    return this.details.of(manager, released, now);
  }
}
