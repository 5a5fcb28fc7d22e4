import { Inject, Injectable } from '@nestjs/common';
import type { RunEvent } from '@baton/contracts';
import { CLOCK, EndedRuns, LOGGER, type Clock } from '@baton/service-kit';
import type { Logger } from '@baton/telemetry';
import type { EntityManager } from 'typeorm';
import { closedReason } from '../../domain/task.js';
import { TaskStore } from '../../store/task-store.js';

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
    private readonly endedRuns: EndedRuns,
    private readonly tasks: TaskStore,
  ) {}

  async execute(event: RunEvent, manager: EntityManager): Promise<void> {
    if (event.type !== 'run.ended') return;
    await this.endedRuns.record(manager, event);
    // The first terminal event of the run says why, whichever this one is.
    const ended = (await this.endedRuns.find(manager, event.runId, { lock: false }))!;
    const closed = await this.tasks.closeOfRun(
      manager,
      event.runId,
      closedReason(ended),
      this.clock.now(),
    );
    if (closed.length) {
      this.logger.info(
        { runId: event.runId, status: ended.status, tasks: closed.map((task) => task.id) },
        'run ended: its open tasks are closed',
      );
    }
  }
}
