import { Inject, Injectable } from '@nestjs/common';
import { runEventFor, uuidv7 } from '@baton/contracts';
import { Routes, type MessagingRuntime, type OutboxTransaction } from '@baton/messaging';
import {
  CLOCK,
  EndedRuns,
  LOGGER,
  MESSAGING_RUNTIME,
  WORKFLOWS,
  type Clock,
} from '@baton/service-kit';
import type { Logger } from '@baton/telemetry';
import type { WorkflowCatalog } from '@baton/workflow';
import {
  SLA_FALLBACK,
  breachActionFor,
  breachEventReason,
  escalatedWebhookBody,
  moveRecord,
  type BreachAction,
} from '../../domain/escalation-chain.js';
import { rejectedDecision } from '../../domain/review.js';
import {
  closedReason,
  liveClaim,
  toSummary,
  type TaskRow,
  type TaskSummary,
} from '../../domain/task.js';
import { ChainStore } from '../../store/chain-store.js';
import { NotificationStore } from '../../store/notification-store.js';
import { TaskStore } from '../../store/task-store.js';
import { DeliverNotificationsUseCase } from '../deliver-notifications/deliver-notifications.use-case.js';
import { ReviewRecorder } from '../review-recorder.js';

const BATCH_SIZE = 200;

/**
 * The SLA sweep. Each open task past its SLA gets what its workflow's escalation chain says
 * next (docs/workflows.md, `escalation`), once, whichever instance sweeps:
 * - the next `onBreach` step: to its queue (a claim on the task ends), a new SLA, the move
 *   recorded on the task and a `run.waiting` saying so, and its webhook recorded to be sent;
 * - after the last step, the fallback: `reject` (the task is rejected by the system and the
 *   run resumes, to end `rejected` as after a reviewer's rejection), `cancel` (`run.ended`
 *   `cancelled`; the run's open tasks close), or `leave` (moved, no further SLA);
 * - with nothing declared, the task is only marked (`escalated_at`) and stays, overdue.
 * Tasks are taken `FOR UPDATE SKIP LOCKED` and changed in the transaction that emits the
 * events, so concurrent sweeps never act twice on one breach. Webhooks are sent after the
 * transaction committed (DeliverNotificationsUseCase): a failing receiver never holds a move up.
 */
@Injectable()
export class EscalateOverdueTasksUseCase {
  constructor(
    @Inject(MESSAGING_RUNTIME) private readonly runtime: MessagingRuntime,
    @Inject(WORKFLOWS) private readonly workflows: WorkflowCatalog,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly routes: Routes,
    private readonly deliverNotifications: DeliverNotificationsUseCase,
    private readonly endedRuns: EndedRuns,
    private readonly tasks: TaskStore,
    private readonly chain: ChainStore,
    private readonly notifications: NotificationStore,
    private readonly reviews: ReviewRecorder,
  ) {}

  /** One sweep: every breach due now, then the notifications it (or an earlier one) left. */
  async execute(): Promise<TaskSummary[]> {
    const escalated: TaskSummary[] = [];
    // Tasks of a workflow version this instance does not know are left for one that does.
    const unknown: string[] = [];
    for (;;) {
      const now = this.clock.now();
      const batch = await this.runtime.transaction(async (tx) => {
        const rows = await this.chain.lockBreached(tx.manager, now, BATCH_SIZE, unknown);
        const handled: TaskSummary[] = [];
        const endedRuns = new Set<string>();
        for (const task of rows) {
          // A cancel fallback earlier in this batch closed the run's other tasks.
          if (endedRuns.has(task.run_id)) continue;
          const workflow = this.workflows.get(task.workflow_id, task.workflow_version);
          if (!workflow) {
            unknown.push(task.id);
            this.logger.warn(
              { taskId: task.id, workflow: `${task.workflow_id}@${task.workflow_version}` },
              'SLA breach left for another instance: this one does not know the workflow version',
            );
            continue;
          }
          const action = breachActionFor(task, workflow.escalation, now);
          const after = await this.apply(tx, task, action, now);
          if (action.kind === 'cancel') endedRuns.add(task.run_id);
          handled.push(toSummary(after, now));
        }
        return { handled, size: rows.length };
      });
      escalated.push(...batch.handled);
      if (batch.size < BATCH_SIZE) break;
    }
    await this.deliverNotifications.execute();
    return escalated;
  }

  private async apply(
    tx: OutboxTransaction,
    task: TaskRow,
    action: BreachAction,
    now: Date,
  ): Promise<TaskRow> {
    const log = { taskId: task.id, runId: task.run_id, queue: task.queue, action: action.kind };
    switch (action.kind) {
      case 'step':
      case 'leave': {
        const claim = liveClaim(task, now);
        const releaseClaim = action.to !== action.from && claim !== undefined;
        const moved = await this.chain.move(tx.manager, task.id, {
          queue: action.to,
          slaDueAt: action.kind === 'step' ? action.slaDueAt : null,
          chainStep: action.kind === 'step' ? action.step : task.chain_step,
          move: moveRecord(action, now, releaseClaim ? claim.by : undefined),
          releaseClaim,
          at: now,
        });
        if (action.kind === 'step' && action.webhook) {
          const id = uuidv7(now.getTime());
          await this.notifications.insert(tx.manager, {
            id,
            taskId: task.id,
            step: action.step,
            url: action.webhook,
            createdAt: now,
            body: escalatedWebhookBody(task, action, id, now),
          });
        }
        return this.waiting(tx, moved, breachEventReason(task, action), now, log);
      }
      case 'overdue':
        await this.chain.markOverdue(tx.manager, task.id, now);
        return this.waiting(
          tx,
          { ...task, escalated_at: now },
          breachEventReason(task, action),
          now,
          log,
        );
      case 'reject': {
        this.logger.warn({ ...log, reason: action.reason }, action.why);
        const decision = rejectedDecision(task.proposal);
        // The reviewer's rejection path, as the system: the run resumes and ends `rejected`.
        return this.reviews.record(
          tx,
          task,
          'rejected',
          {
            reviewer: SLA_FALLBACK,
            reason: action.reason,
            note: `${action.why}: the escalation chain's fallback rejected the task`,
            ...(decision ? { decision } : {}),
          },
          now,
          true,
        );
      }
      case 'cancel': {
        this.logger.warn({ ...log, reason: action.reason }, action.why);
        const ended = {
          status: 'cancelled',
          reason: `cancelled by ${SLA_FALLBACK.name}: ${action.reason}`,
        };
        // As the trigger service's cancel: run.ended tells every service (and the run ledger);
        // the run's tasks close here at once, as they would when that event comes back.
        const event = runEventFor(
          task.envelope,
          { type: 'run.ended', status: 'cancelled', reason: ended.reason },
          now,
        );
        await this.endedRuns.record(tx.manager, event);
        const closed = await this.tasks.closeOfRun(
          tx.manager,
          task.run_id,
          closedReason(ended),
          now,
        );
        tx.emit(this.routes.get('run.events'), event);
        return closed.find((row) => row.id === task.id) ?? task;
      }
    }
  }

  private waiting(
    tx: OutboxTransaction,
    task: TaskRow,
    reason: string,
    now: Date,
    log: Record<string, unknown>,
  ): TaskRow {
    this.logger.warn({ ...log, slaDueAt: task.sla_due_at }, reason);
    tx.emit(
      this.routes.get('run.events'),
      runEventFor(task.envelope, { type: 'run.waiting', reason }, now),
    );
    return task;
  }
}
