import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { OUTCOME_SQL, type Outcome } from '../domain/outcomes.js';
import { SqlFilter } from './sql-filter.js';

/** Which runs the stats cover: by the time they started (`since` inclusive, `until` not). */
export interface StatsFilter {
  workflowId?: string;
  version?: number;
  tenantId?: string;
  since?: Date;
  until?: Date;
}

/** The sums the outcome stats are computed from (numbers, not rates). */
export interface OutcomeTotals {
  runs: number;
  byOutcome: Record<Outcome, number>;
  ended: number;
  escalated: number;
  reviewed: number;
  /** Reviewed runs whose (last) review edited or rejected the proposal. */
  corrected: number;
  /** Time to outcome (created to ended) of the ended runs, in ms; null without any. */
  timeToOutcomeP50Ms: number | null;
  timeToOutcomeP95Ms: number | null;
  /** Time waiting for a person of the reviewed runs, in ms; null without any. */
  reviewWaitP50Ms: number | null;
  reviewWaitP95Ms: number | null;
  tokens: number;
  costUsd: number;
  topEscalationReasons: Array<{ reason: string; runs: number }>;
  topFailureReasons: Array<{ reason: string; runs: number }>;
  /** Completed runs per workflow version (for time saved: each version's `manualMinutes`). */
  completedByVersion: Array<{ workflowId: string; version: number; runs: number }>;
}

const TOP = 5;

/** A run a reviewer corrected, with the edit as the ledger keeps it. */
export interface CorrectionRow {
  id: string;
  workflow_id: string;
  workflow_version: number;
  tenant_id: string;
  review_outcome: string;
  review_proposed: Record<string, unknown> | null;
  review_edited: Record<string, unknown> | null;
  created_at: Date;
}

/**
 * The outcome ledger's reads (`runs` with its outcome columns, and the decision steps' model
 * usage in `run_steps`): the totals `GET /v1/stats` reports, for one filter.
 */
@Injectable()
export class RunOutcomes {
  /** Edited and rejected runs in scope, newest first. */
  async corrections(
    manager: EntityManager,
    filter: StatsFilter,
    limit: number,
  ): Promise<CorrectionRow[]> {
    const sql = scoped(filter).require(`r.review_outcome IN ('edited', 'rejected')`);
    return manager.query(
      `SELECT r.id, r.workflow_id, r.workflow_version, r.tenant_id, r.review_outcome,
              r.review_proposed, r.review_edited, r.created_at
         FROM runs r ${sql.where}
        ORDER BY r.created_at DESC, r.id DESC LIMIT ${Math.trunc(limit)}`,
      sql.params,
    );
  }

  async totals(manager: EntityManager, filter: StatsFilter): Promise<OutcomeTotals> {
    const sql = scoped(filter);
    const { params } = sql;
    const scope = `WITH scoped AS (
      SELECT r.*, ${OUTCOME_SQL} AS outcome,
             extract(epoch FROM (r.ended_at - r.created_at)) * 1000 AS to_outcome_ms
        FROM runs r ${sql.where}
    )`;
    const [sums] = await manager.query<Array<Record<string, string | number | null>>>(
      `${scope}
       SELECT count(*)::int AS runs,
              count(*) FILTER (WHERE ended_at IS NOT NULL)::int AS ended,
              count(*) FILTER (WHERE escalation_reason IS NOT NULL)::int AS escalated,
              count(*) FILTER (WHERE review_outcome IS NOT NULL)::int AS reviewed,
              count(*) FILTER (WHERE review_outcome IN ('edited', 'rejected'))::int AS corrected,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY to_outcome_ms) FILTER (WHERE ended_at IS NOT NULL) AS to_p50,
              percentile_cont(0.95) WITHIN GROUP (ORDER BY to_outcome_ms) FILTER (WHERE ended_at IS NOT NULL) AS to_p95,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY waited_ms) FILTER (WHERE review_outcome IS NOT NULL) AS wait_p50,
              percentile_cont(0.95) WITHIN GROUP (ORDER BY waited_ms) FILTER (WHERE review_outcome IS NOT NULL) AS wait_p95,
              COALESCE((SELECT sum((s.output->'model'->>'tokens')::numeric) FROM run_steps s
                         WHERE s.run_id IN (SELECT id FROM scoped) AND s.kind = 'decision'), 0)::float8 AS tokens,
              COALESCE((SELECT sum((s.output->'model'->>'costUsd')::numeric) FROM run_steps s
                         WHERE s.run_id IN (SELECT id FROM scoped) AND s.kind = 'decision'), 0)::float8 AS cost_usd
         FROM scoped`,
      params,
    );
    const outcomes: Array<{ outcome: Outcome; runs: number }> = await manager.query(
      `${scope} SELECT outcome, count(*)::int AS runs FROM scoped GROUP BY outcome`,
      params,
    );
    const escalationReasons: Array<{ reason: string; runs: number }> = await manager.query(
      `${scope} SELECT escalation_reason AS reason, count(*)::int AS runs FROM scoped
        WHERE escalation_reason IS NOT NULL GROUP BY escalation_reason
        ORDER BY runs DESC, reason LIMIT ${TOP}`,
      params,
    );
    const failureReasons: Array<{ reason: string; runs: number }> = await manager.query(
      `${scope} SELECT COALESCE(reason, '(none)') AS reason, count(*)::int AS runs FROM scoped
        WHERE outcome = 'failed' GROUP BY 1 ORDER BY runs DESC, reason LIMIT ${TOP}`,
      params,
    );
    const completed: Array<{ workflow_id: string; workflow_version: number; runs: number }> =
      await manager.query(
        `${scope} SELECT workflow_id, workflow_version, count(*)::int AS runs FROM scoped
          WHERE status = 'completed' GROUP BY workflow_id, workflow_version`,
        params,
      );
    const byOutcome = {
      completed: 0,
      approved: 0,
      edited: 0,
      rejected: 0,
      failed: 0,
      cancelled: 0,
      escalated: 0,
      running: 0,
    } satisfies Record<Outcome, number>;
    for (const row of outcomes) byOutcome[row.outcome] = row.runs;
    const num = (value: string | number | null | undefined) =>
      value === null || value === undefined ? null : Number(value);
    return {
      runs: Number(sums!.runs),
      byOutcome,
      ended: Number(sums!.ended),
      escalated: Number(sums!.escalated),
      reviewed: Number(sums!.reviewed),
      corrected: Number(sums!.corrected),
      timeToOutcomeP50Ms: num(sums!.to_p50),
      timeToOutcomeP95Ms: num(sums!.to_p95),
      reviewWaitP50Ms: num(sums!.wait_p50),
      reviewWaitP95Ms: num(sums!.wait_p95),
      tokens: Number(sums!.tokens),
      costUsd: Number(sums!.cost_usd),
      topEscalationReasons: escalationReasons,
      topFailureReasons: failureReasons,
      completedByVersion: completed.map((row) => ({
        workflowId: row.workflow_id,
        version: row.workflow_version,
        runs: row.runs,
      })),
    };
  }
}

/** The runs a filter covers (`runs` aliased `r`). */
function scoped(filter: StatsFilter): SqlFilter {
  const sql = new SqlFilter();
  if (filter.workflowId) sql.add('r.workflow_id = ?', filter.workflowId);
  if (filter.version !== undefined) sql.add('r.workflow_version = ?', filter.version);
  if (filter.tenantId) sql.add('r.tenant_id = ?', filter.tenantId);
  if (filter.since) sql.add('r.created_at >= ?', filter.since);
  if (filter.until) sql.add('r.created_at < ?', filter.until);
  return sql;
}
