import { context } from '@opentelemetry/api';
import { runEventFor } from '@baton/contracts';
import { extractTraceContext } from '@baton/telemetry';
import type { OutboxTransaction, Routes } from '@baton/messaging';
import { resumeEnvelope, reviewHistoryRecord } from './review.js';
import type { ReviewOutcome, ReviewRecord, TaskRow } from './task.js';
import { refusalOf } from './task-guards.js';
import { decideTask, findTask } from './task-store.js';

export { assertOpen } from './task-guards.js';

/**
 * Records the reviewer's decision on the task and, in the same transaction, resumes the run:
 * the `decision` envelope `review` (history + reason) and `run.resumed`. Of concurrent
 * decisions on one task exactly one gets here; the others fail with TaskNotOpen. A decision
 * by someone other than the holder of a live claim fails with TaskClaimed, unless
 * `overrideClaim` (an admin; the system's SLA fallback) — checked in the update itself, so a
 * claim made meanwhile counts.
 */
export async function recordReview(
  tx: OutboxTransaction,
  routes: Routes,
  task: TaskRow,
  outcome: ReviewOutcome,
  review: ReviewRecord,
  now: Date,
  overrideClaim = false,
): Promise<TaskRow> {
  const decided = await decideTask(tx.manager, task.id, {
    status: outcome === 'rejected' ? 'rejected' : 'approved',
    outcome,
    reviewer: review.reviewer,
    review,
    decidedAt: now,
    overrideClaim,
  });
  if (!decided) throw refusalOf((await findTask(tx.manager, task.id)) ?? task, now);
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
