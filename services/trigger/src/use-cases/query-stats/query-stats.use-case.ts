import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { DATA_SOURCE, WORKFLOWS } from '@baton/service-kit';
import type { WorkflowCatalog } from '@baton/workflow';
import { editChanges, rate, type EditChange } from '../../domain/outcomes.js';
import {
  RunOutcomes,
  type OutcomeTotals,
  type StatsFilter,
} from '../../store/run-outcomes.repository.js';

export type { StatsFilter };

/** A run a reviewer corrected (edited or rejected), as `GET /v1/stats/corrections` lists it. */
export interface Correction {
  runId: string;
  workflow: { id: string; version: number };
  tenantId: string;
  outcome: string;
  createdAt: string;
  proposed: Record<string, unknown> | null;
  edited: Record<string, unknown> | null;
  changes: EditChange[];
}

/** What `GET /v1/stats` reports for one filter; every rate is defined in docs/outcomes.md. */
export interface OutcomeStats {
  runs: number;
  outcomes: OutcomeTotals['byOutcome'];
  ended: number;
  escalated: number;
  reviewed: number;
  corrected: number;
  /** Completed runs (with or without a person) over ended runs. */
  completionRate: number | null;
  /** Runs completed without a person over ended runs. */
  automationRate: number | null;
  /** Runs that waited for a person at least once over all runs. */
  escalationRate: number | null;
  /** Reviews that edited or rejected the proposal over reviewed runs. */
  correctionRate: number | null;
  topEscalationReasons: OutcomeTotals['topEscalationReasons'];
  topFailureReasons: OutcomeTotals['topFailureReasons'];
  timeToOutcomeMs: { p50: number | null; p95: number | null };
  reviewWaitMs: { p50: number | null; p95: number | null };
  tokens: number;
  tokensPerRun: number | null;
  costUsd: number;
  costPerRunUsd: number | null;
  /**
   * Completed runs times their version's `manualMinutes`; null when no version in scope
   * declares it.
   */
  timeSavedMinutes: number | null;
}

/** The outcome stats of the run ledger (docs/outcomes.md). */
@Injectable()
export class QueryStatsUseCase {
  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(WORKFLOWS) private readonly workflows: WorkflowCatalog,
    private readonly outcomes: RunOutcomes,
  ) {}

  async stats(filter: StatsFilter): Promise<OutcomeStats> {
    const totals = await this.outcomes.totals(this.dataSource.manager, filter);
    return statsOf(totals, (id, version) => this.workflows.get(id, version)?.manualMinutes);
  }

  /** Edited and rejected runs, newest first, with the args the reviewer changed. */
  async corrections(filter: StatsFilter, limit: number): Promise<Correction[]> {
    const rows = await this.outcomes.corrections(this.dataSource.manager, filter, limit);
    return rows.map((row) => ({
      runId: row.id,
      workflow: { id: row.workflow_id, version: row.workflow_version },
      tenantId: row.tenant_id,
      outcome: row.review_outcome,
      createdAt: row.created_at.toISOString(),
      proposed: row.review_proposed,
      edited: row.review_edited,
      changes: editChanges(row.review_proposed, row.review_edited),
    }));
  }

  /** Two versions of one workflow, each with the rest of the filter. */
  async compare(
    filter: StatsFilter & { workflowId: string },
    versions: [number, number],
  ): Promise<{ workflowId: string; versions: Array<{ version: number; stats: OutcomeStats }> }> {
    const versionsStats = [];
    for (const version of versions)
      versionsStats.push({ version, stats: await this.stats({ ...filter, version }) });
    return { workflowId: filter.workflowId, versions: versionsStats };
  }
}

/** The rates and sums of the totals (the arithmetic docs/outcomes.md defines). */
export function statsOf(
  totals: OutcomeTotals,
  manualMinutesOf: (workflowId: string, version: number) => number | undefined,
): OutcomeStats {
  const { byOutcome: o } = totals;
  const completed = o.completed + o.approved + o.edited;
  let saved: number | null = null;
  for (const { workflowId, version, runs } of totals.completedByVersion) {
    const minutes = manualMinutesOf(workflowId, version);
    if (minutes !== undefined) saved = (saved ?? 0) + minutes * runs;
  }
  return {
    runs: totals.runs,
    outcomes: o,
    ended: totals.ended,
    escalated: totals.escalated,
    reviewed: totals.reviewed,
    corrected: totals.corrected,
    completionRate: rate(completed, totals.ended),
    automationRate: rate(o.completed, totals.ended),
    escalationRate: rate(totals.escalated, totals.runs),
    correctionRate: rate(totals.corrected, totals.reviewed),
    topEscalationReasons: totals.topEscalationReasons,
    topFailureReasons: totals.topFailureReasons,
    timeToOutcomeMs: { p50: totals.timeToOutcomeP50Ms, p95: totals.timeToOutcomeP95Ms },
    reviewWaitMs: { p50: totals.reviewWaitP50Ms, p95: totals.reviewWaitP95Ms },
    tokens: totals.tokens,
    tokensPerRun: rate(totals.tokens, totals.runs),
    costUsd: totals.costUsd,
    costPerRunUsd: rate(totals.costUsd, totals.runs),
    timeSavedMinutes: saved,
  };
}
