import { Inject, Injectable } from '@nestjs/common';
import { runEventFor } from '@baton/contracts';
import { Routes, type MessagingRuntime } from '@baton/messaging';
import { LOGGER, MESSAGING_RUNTIME } from '@baton/service-kit';
import type { Logger } from '@baton/telemetry';
import { CLOCK, type Clock } from '../../clock.js';
import { toSummary, type TaskRow, type TaskSummary } from '../../tasks/task.js';
import { markOverdue } from '../../tasks/task-store.js';

const BATCH_SIZE = 200;

/** Why a task's run is still waiting once its SLA passed, for the ledger and the on-call. */
export function slaBreachReason(task: TaskRow): string {
  const minutes = Math.round((task.sla_due_at.getTime() - task.created_at.getTime()) / 60_000);
  return `SLA breached: review task ${task.id} in queue ${task.queue} was not decided within ${minutes} min (due ${task.sla_due_at.toISOString()}); escalated further`;
}

/**
 * The SLA sweep: open tasks past `sla_due_at` are marked escalated (once each), logged as a
 * warning, and the run ledger gets a `run.waiting` saying the SLA was breached.
 */
@Injectable()
export class EscalateOverdueTasksUseCase {
  constructor(
    @Inject(MESSAGING_RUNTIME) private readonly runtime: MessagingRuntime,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly routes: Routes,
  ) {}

  async execute(): Promise<TaskSummary[]> {
    const escalated: TaskSummary[] = [];
    for (;;) {
      const now = this.clock.now();
      const batch = await this.runtime.transaction(async (tx) => {
        const rows = await markOverdue(tx.manager, now, BATCH_SIZE);
        for (const task of rows) {
          const reason = slaBreachReason(task);
          this.logger.warn(
            { taskId: task.id, runId: task.run_id, queue: task.queue, slaDueAt: task.sla_due_at },
            reason,
          );
          tx.emit(
            this.routes.get('run.events'),
            runEventFor(task.envelope, { type: 'run.waiting', reason }, now),
          );
        }
        return rows;
      });
      escalated.push(...batch.map((row) => toSummary(row, now)));
      if (batch.length < BATCH_SIZE) return escalated;
    }
  }
}
