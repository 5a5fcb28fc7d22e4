import { Inject, Injectable } from '@nestjs/common';
import type { RunEvent } from '@baton/contracts';
import { LOGGER } from '@baton/service-kit';
import type { Logger } from '@baton/telemetry';
import type { EntityManager } from 'typeorm';
import { CLOCK, type Clock } from '../../clock.js';
import {
  closeRunTasks,
  closedReason,
  findEndedRun,
  recordEndedRun,
} from '../../tasks/task-store.js';

/**
 * A run ended (`run.ended`: cancelled, or ended by another step): its open tasks are closed,
 * with why and when, and can no longer be approved or rejected. The run is remembered, so an
 * escalation of it that arrives later makes a closed task. Other run events are ignored.
 */
@Injectable()
export class CloseRunTasksUseCase {
  constructor(
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async execute(event: RunEvent, manager: EntityManager): Promise<void> {
    if (event.type !== 'run.ended') return;
    await recordEndedRun(
      manager,
      event.runId,
      // A run.ended without a status still ends the run.
      { status: event.status ?? 'unknown', reason: event.reason ?? null },
      event.createdAt,
    );
    // The first terminal event of the run says why, whichever this one is.
    const ended = (await findEndedRun(manager, event.runId))!;
    const closed = await closeRunTasks(manager, event.runId, closedReason(ended), this.clock.now());
    if (closed.length) {
      this.logger.info(
        { runId: event.runId, status: ended.status, tasks: closed.map((task) => task.id) },
        'run ended: its open tasks are closed',
      );
    }
  }
}
