import { Inject, Injectable } from '@nestjs/common';
import { runEventFor } from '@baton/contracts';
import { Routes, type MessagingRuntime, type OutboxTransaction } from '@baton/messaging';
import { LOGGER, MESSAGING_RUNTIME, WORKFLOWS, type DeadLetterReport } from '@baton/service-kit';
import type { Logger } from '@baton/telemetry';
import type { WorkflowCatalog } from '@baton/workflow';
import { CLOCK, type Clock } from '@baton/service-kit';
import { RUN_SWEEP_CONFIG, type RunSweepConfig } from '../../run-sweep.config.js';
import { deadlineReason, type LastReport } from './deadline-reason.js';

/** The deadline of a run whose workflow version the catalog does not hold: a day. */
export const UNKNOWN_WORKFLOW_DEADLINE_MINUTES = 24 * 60;
/** Runs claimed per transaction: a long backlog is ended in several short transactions. */
export const EXPIRE_BATCH_SIZE = 100;

/** A run this instance ended. */
export interface ExpiredRun {
  runId: string;
  workflow: { id: string; version: number };
  deadlineMinutes: number;
  reason: string;
}

interface OverdueRow {
  id: string;
  workflow_id: string;
  workflow_version: number;
  tenant_id: string;
  /** The catalog's `limits.deadlineMinutes`; null when it does not hold the version. */
  deadline_minutes: number | null;
  created_at: Date;
  /** The time of the run's latest run event (a step report, a resume). */
  updated_at: Date;
  /** When the deadline passed: created_at + the deadline + the time spent waiting for review. */
  deadline_at: Date;
  /** The step that finished last, as run_steps has it; null when none is recorded. */
  step_name: string | null;
  step_kind: string | null;
  step_seq: number | null;
  step_finished_at: Date | null;
  /** The step's `output.deadLetter` when it was reported dead-lettered, else null. */
  step_dead_letter: DeadLetterReport | null;
}

/**
 * Ends the runs that can no longer end by themselves: `running` (not `waiting-for-review`:
 * review SLAs bound that) past `created_at` + the workflow's `limits.deadlineMinutes` + the
 * grace, not counting time spent waiting for a reviewer. A run like that lost its next step
 * (dead-lettered: the ledger has it reported so), has one still under way past the grace (a
 * slow model or tool), or waits for a service that is down; the reason names the last hand-on
 * the ledger holds and says which (deadlineReason). Each is marked `failed` with it and `run.ended` is
 * emitted in the same transaction, as a cancel does; the other services react to it.
 * Instances claim runs with `FOR UPDATE SKIP LOCKED` and update only `running` rows, so a run
 * is ended once however many instances sweep.
 */
@Injectable()
export class ExpireRunsUseCase {
  constructor(
    @Inject(WORKFLOWS) private readonly workflows: WorkflowCatalog,
    @Inject(MESSAGING_RUNTIME) private readonly runtime: MessagingRuntime,
    @Inject(RUN_SWEEP_CONFIG) private readonly config: Pick<RunSweepConfig, 'graceMinutes'>,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly routes: Routes,
  ) {}

  /** Ends every run overdue at `now` (the clock's time by default), a batch per transaction. */
  async execute(
    now: Date = this.clock.now(),
    batchSize = EXPIRE_BATCH_SIZE,
  ): Promise<ExpiredRun[]> {
    const expired: ExpiredRun[] = [];
    for (;;) {
      const batch = await this.runtime.transaction(
        (tx) => this.expireBatch(tx, now, batchSize),
        'baton.runs.expire',
      );
      expired.push(...batch.expired);
      // Fewer claimed than asked: nothing overdue is left that another instance does not hold.
      if (batch.claimed < batchSize) return expired;
    }
  }

  private async expireBatch(
    tx: OutboxTransaction,
    now: Date,
    batchSize: number,
  ): Promise<{ claimed: number; expired: ExpiredRun[] }> {
    const limits = this.workflows.all().map((w) => ({
      id: w.id,
      version: w.version,
      minutes: w.limits.deadlineMinutes,
    }));
    const grace = this.config.graceMinutes;
    // No run can be overdue before the shortest deadline: this bound lets the partial index
    // (running, by created_at) skip the recent runs.
    const shortest = Math.min(UNKNOWN_WORKFLOW_DEADLINE_MINUTES, ...limits.map((l) => l.minutes));
    const rows: OverdueRow[] = await tx.manager.query(
      `WITH limits AS (
         SELECT * FROM jsonb_to_recordset($1::jsonb) AS l(id text, version integer, minutes integer)
       )
       SELECT r.id, r.workflow_id, r.workflow_version, r.tenant_id, l.minutes AS deadline_minutes,
              r.created_at, r.updated_at,
              r.created_at
                + make_interval(mins => COALESCE(l.minutes, $4))
                + r.waited_ms * interval '1 millisecond' AS deadline_at,
              s.name AS step_name, s.kind AS step_kind, s.seq AS step_seq,
              s.finished_at AS step_finished_at,
              CASE WHEN s.outcome = 'dead-lettered' THEN s.output->'deadLetter' END AS step_dead_letter
       FROM runs r
       LEFT JOIN limits l ON l.id = r.workflow_id AND l.version = r.workflow_version
       LEFT JOIN LATERAL (
         SELECT name, kind, seq, finished_at, outcome, output FROM run_steps
          WHERE run_id = r.id ORDER BY finished_at DESC, seq DESC LIMIT 1
       ) s ON true
       WHERE r.status = 'running'
         AND r.created_at <= $2::timestamptz - make_interval(mins => $3)
         AND r.created_at
             + make_interval(mins => COALESCE(l.minutes, $4) + $5)
             + r.waited_ms * interval '1 millisecond' <= $2::timestamptz
       ORDER BY r.created_at
       LIMIT $6
       FOR UPDATE OF r SKIP LOCKED`,
      [
        JSON.stringify(limits),
        now,
        shortest + grace,
        UNKNOWN_WORKFLOW_DEADLINE_MINUTES,
        grace,
        batchSize,
      ],
    );
    const expired: ExpiredRun[] = [];
    for (const row of rows) {
      const workflow = { id: row.workflow_id, version: row.workflow_version };
      if (row.deadline_minutes === null)
        this.logger.warn(
          { runId: row.id, workflowId: workflow.id, workflowVersion: workflow.version },
          `the workflow catalog does not hold the run's workflow version: its deadline is taken as ${UNKNOWN_WORKFLOW_DEADLINE_MINUTES} minutes`,
        );
      const deadlineMinutes = row.deadline_minutes ?? UNKNOWN_WORKFLOW_DEADLINE_MINUTES;
      const reason = deadlineReason(lastReport(row, deadlineMinutes));
      // The row is locked and `running`: the guard only keeps the update honest.
      const updated: unknown[] = await tx.manager.query(
        `UPDATE runs SET status = 'failed', reason = $2, updated_at = $3, ended_at = $3
         WHERE id = $1 AND status = 'running' RETURNING id`,
        [row.id, reason, now],
      );
      if (updated.length === 0) continue;
      tx.emit(
        this.routes.get('run.events'),
        runEventFor(
          { runId: row.id, workflow, tenantId: row.tenant_id },
          { type: 'run.ended', status: 'failed', reason },
          now,
        ),
      );
      this.logger.warn(
        { runId: row.id, workflowId: workflow.id, workflowVersion: workflow.version, reason },
        'run ended failed: its deadline passed while it was still running',
      );
      expired.push({ runId: row.id, workflow, deadlineMinutes, reason });
    }
    return { claimed: rows.length, expired };
  }
}

/**
 * The run's last hand-on as the ledger has it: the step that finished last, unless a review
 * resumed the run since (`updated_at` is the time of the latest run event, and only a step
 * report, `run.waiting` or `run.resumed` moves it while a run is running), or the run's start
 * when no step reported.
 */
function lastReport(row: OverdueRow, deadlineMinutes: number): LastReport {
  const base = { deadlineMinutes, deadline: row.deadline_at };
  if (row.step_finished_at === null) {
    return row.updated_at > row.created_at
      ? { ...base, by: 'resumed', at: row.updated_at }
      : { ...base, by: 'started', at: row.created_at };
  }
  if (row.updated_at > row.step_finished_at) return { ...base, by: 'resumed', at: row.updated_at };
  return {
    ...base,
    by: 'step',
    at: row.step_finished_at,
    step: {
      name: row.step_name!,
      kind: row.step_kind!,
      seq: row.step_seq!,
      ...(row.step_dead_letter ? { deadLetter: row.step_dead_letter } : {}),
    },
  };
}
