import { context } from '@opentelemetry/api';
import { runEventFor } from '@baton/contracts';
import { extractTraceContext } from '@baton/telemetry';
import type { OutboxTransaction, Routes } from '@baton/messaging';
import { EscalationErrorCode, EscalationException } from '../escalation.exception.js';
import { resumeEnvelope, reviewHistoryRecord } from './review.js';
import type { ReviewOutcome, ReviewRecord, TaskRow } from './task.js';
import { decideTask } from './task-store.js';

/** Refuses to decide a task that is not open. */
export function assertOpen(task: TaskRow): void {
  if (task.status === 'closed') {
    throw new EscalationException(
      EscalationErrorCode.TaskNotOpen,
      `task ${task.id} is closed (${task.closed_reason ?? 'its run ended'} at ${task.closed_at?.toISOString() ?? 'an earlier time'}); only an open task can be decided`,
    );
  }
  if (task.status !== 'open') {
    throw new EscalationException(
      EscalationErrorCode.TaskNotOpen,
      `task ${task.id} is ${task.status} (${task.outcome ?? task.status} by ${task.reviewer_name ?? 'someone'} at ${task.decided_at?.toISOString() ?? 'an earlier time'}); only an open task can be decided`,
    );
  }
}

/**
 * Records the reviewer's decision on the task and, in the same transaction, resumes the run:
 * the `decision` envelope `review` (history + reason) and `run.resumed`. Of concurrent
 * decisions on one task exactly one gets here; the others fail with TaskNotOpen.
 */
export async function recordReview(
  tx: OutboxTransaction,
  routes: Routes,
  task: TaskRow,
  outcome: ReviewOutcome,
  review: ReviewRecord,
  now: Date,
): Promise<TaskRow> {
  const decided = await decideTask(tx.manager, task.id, {
    status: outcome === 'rejected' ? 'rejected' : 'approved',
    outcome,
    reviewer: review.reviewer,
    review,
    decidedAt: now,
  });
  if (!decided) {
    throw new EscalationException(
      EscalationErrorCode.TaskNotOpen,
      `task ${task.id} was decided by someone else meanwhile; only an open task can be decided`,
    );
  }
  const resumed = resumeEnvelope(
    task.envelope,
    reviewHistoryRecord(task.envelope, outcome, review),
    now,
  );
  // The run's trace continues from the escalation step, not from the reviewer's HTTP request.
  context.with(extractTraceContext({}, task.envelope.traceparent), () => {
    tx.emit(routes.step('decision'), resumed);
    tx.emit(
      routes.get('run.events'),
      runEventFor(
        task.envelope,
        { type: 'run.resumed', reason: `${resumed.payload.reason} by ${review.reviewer.name}` },
        now,
      ),
    );
  });
  return decided;
}
