import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { OUTCOMES, OUTCOME_SQL, type Outcome } from '../domain/outcomes.js';
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

  /**
   * The totals in one statement: the runs in scope are read once (a materialised CTE) and every
   * figure, the grouped ones as JSON, comes from that one scan.
   */
  async totals(manager: EntityManager, filter: StatsFilter): Promise<OutcomeTotals> {
    const sql = scoped(filter);
    const grouped = (select: string, where: string, order: string) =>
      `(SELECT COALESCE(json_agg(g ORDER BY ${order}), '[]') FROM (${select} FROM scoped
         WHERE ${where}) g)`;
    const [sums] = await manager.query<Array<Record<string, unknown>>>(
      `WITH scoped AS MATERIALIZED (
         SELECT r.id, r.workflow_id, r.workflow_version, r.status, r.reason, r.ended_at,
                r.escalation_reason, r.review_outcome, r.waited_ms, ${OUTCOME_SQL} AS outcome,
                extract(epoch FROM (r.ended_at - r.created_at)) * 1000 AS to_outcome_ms
           FROM runs r ${sql.where}
       ), model_usage AS (
         SELECT sum((s.output->'model'->>'tokens')::numeric) AS tokens,
                sum((s.output->'model'->>'costUsd')::numeric) AS cost_usd
           FROM run_steps s JOIN scoped ON s.run_id = scoped.id
          WHERE s.kind = 'decision'
       )
       SELECT count(*)::int AS runs,
              count(*) FILTER (WHERE ended_at IS NOT NULL)::int AS ended,
              count(*) FILTER (WHERE escalation_reason IS NOT NULL)::int AS escalated,
              count(*) FILTER (WHERE review_outcome IS NOT NULL)::int AS reviewed,
              count(*) FILTER (WHERE review_outcome IN ('edited', 'rejected'))::int AS corrected,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY to_outcome_ms) FILTER (WHERE ended_at IS NOT NULL) AS to_p50,
              percentile_cont(0.95) WITHIN GROUP (ORDER BY to_outcome_ms) FILTER (WHERE ended_at IS NOT NULL) AS to_p95,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY waited_ms) FILTER (WHERE review_outcome IS NOT NULL) AS wait_p50,
              percentile_cont(0.95) WITHIN GROUP (ORDER BY waited_ms) FILTER (WHERE review_outcome IS NOT NULL) AS wait_p95,
              (SELECT COALESCE(tokens, 0)::float8 FROM model_usage) AS tokens,
              (SELECT COALESCE(cost_usd, 0)::float8 FROM model_usage) AS cost_usd,
              ${grouped('SELECT outcome, count(*)::int AS runs', 'true GROUP BY outcome', 'outcome')} AS outcomes,
              ${grouped(
                'SELECT escalation_reason AS reason, count(*)::int AS runs',
                `escalation_reason IS NOT NULL GROUP BY escalation_reason ORDER BY runs DESC, reason LIMIT ${TOP}`,
                'runs DESC, reason',
              )} AS escalation_reasons,
              ${grouped(
                "SELECT COALESCE(reason, '(none)') AS reason, count(*)::int AS runs",
                `outcome = 'failed' GROUP BY 1 ORDER BY runs DESC, reason LIMIT ${TOP}`,
                'runs DESC, reason',
              )} AS failure_reasons,
              ${grouped(
                'SELECT workflow_id AS "workflowId", workflow_version AS version, count(*)::int AS runs',
                "status = 'completed' GROUP BY workflow_id, workflow_version",
                '"workflowId", version',
              )} AS completed
         FROM scoped`,
      sql.params,
    );
    const outcomes = sums!['outcomes'] as Array<{ outcome: Outcome; runs: number }>;
    // Every outcome is reported, 0 when no run has it.
    const byOutcome = Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Record<Outcome, number>;
    for (const row of outcomes) byOutcome[row.outcome] = row.runs;
    const num = (value: unknown) => (value === null || value === undefined ? null : Number(value));
    return {
      runs: Number(sums!['runs']),
      byOutcome,
      ended: Number(sums!['ended']),
      escalated: Number(sums!['escalated']),
      reviewed: Number(sums!['reviewed']),
      corrected: Number(sums!['corrected']),
      timeToOutcomeP50Ms: num(sums!['to_p50']),
      timeToOutcomeP95Ms: num(sums!['to_p95']),
      reviewWaitP50Ms: num(sums!['wait_p50']),
      reviewWaitP95Ms: num(sums!['wait_p95']),
      tokens: Number(sums!['tokens']),
      costUsd: Number(sums!['cost_usd']),
      topEscalationReasons: sums!['escalation_reasons'] as OutcomeTotals['topEscalationReasons'],
      topFailureReasons: sums!['failure_reasons'] as OutcomeTotals['topFailureReasons'],
      completedByVersion: sums!['completed'] as OutcomeTotals['completedByVersion'],
    };
  }
}

/** The runs a filter covers (`runs` aliased `r`). */
function scoped(filter: StatsFilter): SqlFilter {
  // A backtest's runs are not the workflow's live outcomes (docs/changing-workflows.md).
  const sql = new SqlFilter().require('r.backtest_id IS NULL');
  if (filter.workflowId) sql.add('r.workflow_id = ?', filter.workflowId);
  if (filter.version !== undefined) sql.add('r.workflow_version = ?', filter.version);
  if (filter.tenantId) sql.add('r.tenant_id = ?', filter.tenantId);
  if (filter.since) sql.add('r.created_at >= ?', filter.since);
  if (filter.until) sql.add('r.created_at < ?', filter.until);
  return sql;
}
