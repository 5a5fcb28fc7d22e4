import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { CLOCK, DATA_SOURCE, LOGGER, type Clock, type Principal } from '@baton/service-kit';
import type { Logger } from '@baton/telemetry';
import { EscalationConfig } from '../../config/escalation.config.js';
import type { TaskDetail } from '../../domain/task.js';
import { isAdmin, refusalOf } from '../../domain/task-guards.js';
import { ClaimStore } from '../../store/claim-store.js';
import { TaskStore } from '../../store/task-store.js';
import { TaskDetails } from '../task-details.js';

/**
 * A reviewer claims an open task for `BATON_CLAIM_MINUTES` (claiming it again renews the
 * claim): until then only they, or an admin, may decide or release it. Another reviewer's
 * live claim answers 409 `task-claimed`; an admin takes it over. Claiming is optional: an
 * unclaimed task is decided directly. The claim is checked and taken in one statement.
 */
@Injectable()
export class ClaimTaskUseCase {
  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    private readonly config: EscalationConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly tasks: TaskStore,
    private readonly claims: ClaimStore,
    private readonly details: TaskDetails,
  ) {}

  async execute(id: string, principal: Principal): Promise<TaskDetail> {
    const manager = this.dataSource.manager;
    const task = await this.tasks.load(manager, id);
    const now = this.clock.now();
    const claimed = await this.claims.claim(manager, task.id, {
      by: principal.name,
      role: principal.role,
      at: now,
      until: new Date(now.getTime() + this.config.claimMinutes * 60_000),
      override: isAdmin(principal),
    });
    if (!claimed) throw refusalOf(await this.tasks.load(manager, id), now);
    this.logger.info(
      { taskId: id, claimedBy: principal.name, claimedUntil: claimed.claimed_until },
      'task claimed',
    );
    return this.details.of(manager, claimed, now);
  }
}
