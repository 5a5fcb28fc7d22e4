import { Inject, Injectable } from '@nestjs/common';
import { runEventFor } from '@baton/contracts';
import { Routes, type MessagingRuntime, type OutboxTransaction } from '@baton/messaging';
import { LOGGER, MESSAGING_RUNTIME, WORKFLOWS } from '@baton/service-kit';
import type { Logger } from '@baton/telemetry';
import type { WorkflowCatalog } from '@baton/workflow';
import { CLOCK, type Clock } from '@baton/service-kit';
import { RunSweepConfig } from '../../config/run-sweep.config.js';
import { deadlineReason, type LastReport } from './deadline-reason.js';
import { RunLedger, type OverdueRow } from '../../store/run-ledger.repository.js';

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
    @Inject(RunSweepConfig) private readonly config: Pick<RunSweepConfig, 'graceMinutes'>,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly routes: Routes,
    private readonly ledger: RunLedger,
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
    const rows = await this.ledger.claimOverdue(tx.manager, {
      now,
      limits,
      graceMinutes: this.config.graceMinutes,
      unknownDeadlineMinutes: UNKNOWN_WORKFLOW_DEADLINE_MINUTES,
      batchSize,
    });
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
      const ended = await this.ledger.end(tx.manager, row.id, {
        status: 'failed',
        reason,
        at: now,
        move: 'expire',
      });
      if (!ended) continue;
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
