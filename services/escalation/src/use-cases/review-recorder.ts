import { Injectable } from '@nestjs/common';
import { context, trace, type Link } from '@opentelemetry/api';
import { runEventFor, type DecisionRecord, type RunReview } from '@baton/contracts';
import { BATON_ATTR, batonMetrics, extractTraceContext } from '@baton/telemetry';
import { Routes, type OutboxTransaction } from '@baton/messaging';
import { resumeEnvelope, reviewHistoryRecord } from '../domain/review.js';
import type { ReviewOutcome, ReviewRecord, TaskRow } from '../domain/task.js';
import { refusalOf } from '../domain/task-guards.js';
import { TaskStore } from '../store/task-store.js';

/**
 * The step a review ends with, shared by approve-task, reject-task and the SLA sweep's reject
 * fallback (escalate-overdue-tasks): records the decision on the task and, in the same
 * transaction, resumes the run.
 */
@Injectable()
export class ReviewRecorder {
  constructor(
    private readonly tasks: TaskStore,
    private readonly routes: Routes,
  ) {}

  /**
   * Records the reviewer's decision on the task and resumes the run: the `decision` envelope
   * `review` (history + reason) and `run.resumed`. Of concurrent decisions on one task exactly
   * one gets here; the others fail with TaskNotOpen. A decision by someone other than the
   * holder of a live claim fails with TaskClaimed, unless `overrideClaim` (an admin; the
   * system's SLA fallback) — checked in the update itself, so a claim made meanwhile counts.
   */
  async record(
    tx: OutboxTransaction,
    task: TaskRow,
    outcome: ReviewOutcome,
    review: ReviewRecord,
    now: Date,
    overrideClaim = false,
  ): Promise<TaskRow> {
    const decided = await this.tasks.decide(tx.manager, task.id, {
      status: outcome === 'rejected' ? 'rejected' : 'approved',
      outcome,
      reviewer: review.reviewer,
      review,
      decidedAt: now,
      overrideClaim,
    });
    if (!decided) throw refusalOf((await this.tasks.find(tx.manager, task.id)) ?? task, now);
    const resumed = resumeEnvelope(
      task.envelope,
      reviewHistoryRecord(task.envelope, outcome, review),
      now,
    );
    // The run's trace continues from the escalation step, not from the reviewer's HTTP request;
    // span links join the two both ways (docs/sre.md).
    // (An envelope without a traceparent has no run trace to link: never the reviewer's own.)
    const runContext = task.envelope.traceparent
      ? extractTraceContext({}, task.envelope.traceparent)
      : context.active();
    const runSpan = task.envelope.traceparent ? trace.getSpanContext(runContext) : undefined;
    const attributes = {
      [BATON_ATTR.runId]: task.envelope.runId,
      'baton.task.id': task.id,
      'baton.review.outcome': outcome,
    };
    // In the reviewer's request trace (its parent is whatever is active there), linked to the run.
    const reviewSpan = tracer().startSpan(`review ${outcome}`, {
      attributes,
      links: runSpan ? [{ context: runSpan, attributes: { 'baton.link': 'run' } }] : [],
    });
    // In the run's trace, parent of the resumed steps, linked back to the reviewer's request.
    const back: Link = {
      context: reviewSpan.spanContext(),
      attributes: { 'baton.link': 'review' },
    };
    const resumeSpan = tracer().startSpan('resume run', { attributes, links: [back] }, runContext);
    context.with(trace.setSpan(runContext, resumeSpan), () => {
      tx.emit(this.routes.step('decision'), resumed);
      tx.emit(
        this.routes.get('run.events'),
        runEventFor(
          task.envelope,
          {
            type: 'run.resumed',
            reason: `${resumed.payload.reason} by ${review.reviewer.name}`,
            review: runReview(task, outcome, review),
          },
          now,
        ),
      );
    });
    resumeSpan.end();
    reviewSpan.end();
    batonMetrics().reviewWait.record((now.getTime() - task.created_at.getTime()) / 1000, {
      'baton.workflow.id': task.envelope.workflow.id,
      'baton.review.outcome': outcome,
    });
    return decided;
  }
}

const tracer = () => trace.getTracer('@baton/escalation');

/** The verdict for the outcome ledger (on `run.resumed`): an edit kept as proposed vs sent. */
function runReview(task: TaskRow, outcome: ReviewOutcome, review: ReviewRecord): RunReview {
  const action = (decision: Pick<DecisionRecord, 'tool' | 'args'>) => ({
    ...(decision.tool ? { tool: decision.tool } : {}),
    ...(decision.args ? { args: decision.args } : {}),
  });
  const edited = review.decision ?? (review.args ? { args: review.args } : undefined);
  return {
    outcome,
    ...(task.proposal ? { proposed: action(task.proposal) } : {}),
    ...(outcome === 'edited' && edited ? { edited: action(edited) } : {}),
  };
}
