import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { ReportRun, ReportStep } from '../domain/backtest-report.js';

/** A backtest as requested (`backtests`). */
export interface BacktestRow {
  id: string;
  workflow_id: string;
  version: number;
  against_version: number;
  since: Date;
  until: Date;
  requested_by: string;
  created_at: Date;
}

/** A replayed run still to start, with the original run's recorded trigger. */
export interface PendingBacktestRun {
  backtest_id: string;
  source_run_id: string;
  workflow_id: string;
  version: number;
  tenant_id: string;
  trigger: unknown;
}

/** One replayed run: the original and (once started) the backtest run. */
export interface BacktestPair {
  sourceRunId: string;
  runId: string | null;
  notStarted: string | null;
  tenantId: string;
  original: ReportRun;
  candidate: ReportRun | null;
}

/** Statuses a backtest run holds a slot in. */
const IN_FLIGHT = `('running', 'waiting-for-review')`;

/**
 * Backtests and their runs (`backtests`, `backtest_runs`, `runs.backtest_id`): the request,
 * the runs still to start, and what the report reads of the original and the backtest runs.
 */
@Injectable()
export class Backtests {
  /** The ended runs of one version in the window, oldest first: what a backtest replays. */
  async sourceRuns(
    manager: EntityManager,
    scope: { workflowId: string; version: number; since: Date; until: Date; limit: number },
  ): Promise<string[]> {
    const rows: Array<{ id: string }> = await manager.query(
      `SELECT id FROM runs
        WHERE backtest_id IS NULL AND workflow_id = $1 AND workflow_version = $2
          AND created_at >= $3 AND created_at < $4
          AND status IN ('completed', 'rejected', 'failed', 'cancelled')
        ORDER BY created_at, id LIMIT ${Math.trunc(scope.limit)}`,
      [scope.workflowId, scope.version, scope.since, scope.until],
    );
    return rows.map((row) => row.id);
  }

  async insert(manager: EntityManager, backtest: BacktestRow, sourceRunIds: string[]) {
    await manager.query(
      `INSERT INTO backtests (id, workflow_id, version, against_version, since, until, requested_by, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        backtest.id,
        backtest.workflow_id,
        backtest.version,
        backtest.against_version,
        backtest.since,
        backtest.until,
        backtest.requested_by,
        backtest.created_at,
      ],
    );
    if (!sourceRunIds.length) return;
    await manager.query(
      `INSERT INTO backtest_runs (backtest_id, source_run_id, position)
       SELECT $1, id, ord::int FROM unnest($2::uuid[]) WITH ORDINALITY AS s(id, ord)`,
      [backtest.id, sourceRunIds],
    );
  }

  async find(manager: EntityManager, id: string): Promise<BacktestRow | undefined> {
    const rows: BacktestRow[] = await manager.query(`SELECT * FROM backtests WHERE id = $1`, [id]);
    return rows[0];
  }

  /** The backtests of one version against another, newest first: what a publish gate reads. */
  async ofVersion(
    manager: EntityManager,
    scope: { workflowId: string; version: number; against: number },
  ): Promise<BacktestRow[]> {
    return manager.query(
      `SELECT * FROM backtests WHERE workflow_id = $1 AND version = $2 AND against_version = $3
        ORDER BY created_at DESC, id DESC`,
      [scope.workflowId, scope.version, scope.against],
    );
  }

  /**
   * Takes the lock every trigger instance takes before starting backtest runs (held to the end
   * of the transaction), so the in-flight bound holds across instances.
   */
  async lockStarts(manager: EntityManager): Promise<void> {
    await manager.query(`SELECT pg_advisory_xact_lock(hashtext('baton.backtests.start'))`);
  }

  /** Backtest runs that have not ended. */
  async inFlight(manager: EntityManager): Promise<number> {
    const [row] = await manager.query<Array<{ n: number }>>(
      `SELECT count(*)::int AS n FROM runs WHERE backtest_id IS NOT NULL AND status IN ${IN_FLIGHT}`,
    );
    return row!.n;
  }

  /** The next runs to start, oldest backtest first, in each backtest's order. */
  async pending(manager: EntityManager, limit: number): Promise<PendingBacktestRun[]> {
    return manager.query(
      `SELECT br.backtest_id, br.source_run_id, b.workflow_id, b.version, r.tenant_id, r.trigger
         FROM backtest_runs br
         JOIN backtests b ON b.id = br.backtest_id
         JOIN runs r ON r.id = br.source_run_id
        WHERE br.run_id IS NULL AND br.not_started IS NULL
        ORDER BY b.created_at, b.id, br.position
        LIMIT ${Math.trunc(limit)}`,
    );
  }

  async started(
    manager: EntityManager,
    pair: { backtestId: string; sourceRunId: string },
    outcome: { runId: string; at: Date } | { notStarted: string; at: Date },
  ): Promise<void> {
    await manager.query(
      `UPDATE backtest_runs SET run_id = $3, not_started = $4, started_at = $5
        WHERE backtest_id = $1 AND source_run_id = $2`,
      [
        pair.backtestId,
        pair.sourceRunId,
        'runId' in outcome ? outcome.runId : null,
        'notStarted' in outcome ? outcome.notStarted : null,
        outcome.at,
      ],
    );
  }

  /** Every replayed run of a backtest with its original, in order, and both runs' steps. */
  async pairs(manager: EntityManager, backtestId: string): Promise<BacktestPair[]> {
    const rows: Array<Record<string, unknown>> = await manager.query(
      `SELECT br.source_run_id, br.run_id, br.not_started, o.tenant_id,
              o.status AS o_status, o.reason AS o_reason, o.escalation_reason AS o_escalation,
              o.review_outcome AS o_review, o.review_proposed AS o_proposed,
              o.review_edited AS o_edited,
              c.status AS c_status, c.reason AS c_reason, c.escalation_reason AS c_escalation
         FROM backtest_runs br
         JOIN runs o ON o.id = br.source_run_id
         LEFT JOIN runs c ON c.id = br.run_id
        WHERE br.backtest_id = $1
        ORDER BY br.position`,
      [backtestId],
    );
    const ids = rows.flatMap((row) => [row['source_run_id'], row['run_id']]).filter(Boolean);
    const steps: Array<ReportStep & { run_id: string }> = ids.length
      ? await manager.query(
          `SELECT run_id, seq, kind, outcome, output FROM run_steps WHERE run_id = ANY($1::uuid[])`,
          [ids],
        )
      : [];
    const stepsOf = new Map<string, ReportStep[]>();
    for (const { run_id, ...step } of steps) {
      stepsOf.set(run_id, [...(stepsOf.get(run_id) ?? []), step]);
    }
    return rows.map((row) => {
      const runId = (row['run_id'] as string | null) ?? null;
      return {
        sourceRunId: row['source_run_id'] as string,
        runId,
        notStarted: (row['not_started'] as string | null) ?? null,
        tenantId: row['tenant_id'] as string,
        original: {
          status: row['o_status'] as string,
          reason: row['o_reason'] as string | null,
          escalationReason: row['o_escalation'] as string | null,
          reviewOutcome: row['o_review'] as string | null,
          reviewProposed: row['o_proposed'],
          reviewEdited: row['o_edited'],
          steps: stepsOf.get(row['source_run_id'] as string) ?? [],
        },
        candidate: runId
          ? {
              status: row['c_status'] as string,
              reason: row['c_reason'] as string | null,
              escalationReason: row['c_escalation'] as string | null,
              reviewOutcome: null,
              reviewProposed: null,
              reviewEdited: null,
              steps: stepsOf.get(runId) ?? [],
            }
          : null,
      };
    });
  }
}
