import { Inject, Injectable } from '@nestjs/common';
import { Type } from 'class-transformer';
import {
  IsArray,
  IsIn,
  IsInt,
  IsISO8601,
  IsNumber,
  IsObject,
  IsString,
  Min,
  ValidateNested,
} from 'class-validator';
import { JSONSchema } from 'class-validator-jsonschema';
import type { DataSource } from 'typeorm';
import { Nullable, REVIEW_OUTCOMES, WorkflowRef } from '@baton/contracts';
import { DATA_SOURCE, WORKFLOWS } from '@baton/service-kit';
import type { WorkflowCatalog } from '@baton/workflow';
import { EditChange, OUTCOMES, editChanges, rate } from '../../domain/outcomes.js';
import {
  RunOutcomes,
  type OutcomeTotals,
  type StatsFilter,
} from '../../store/run-outcomes.repository.js';

export type { StatsFilter };

/** A run a reviewer corrected (edited or rejected), as `GET /v1/stats/corrections` lists it. */
export class Correction {
  @IsString() runId!: string;
  @ValidateNested() @Type(() => WorkflowRef) workflow!: WorkflowRef;
  @IsString() tenantId!: string;
  @IsIn(REVIEW_OUTCOMES) outcome!: string;
  @IsISO8601() createdAt!: string;
  @Nullable('What the model proposed (tool and args).') @IsObject() proposed!: Record<
    string,
    unknown
  > | null;
  @Nullable('What the reviewer sent instead; null for a rejection.') @IsObject() edited!: Record<
    string,
    unknown
  > | null;
  @IsArray() @ValidateNested({ each: true }) @Type(() => EditChange) changes!: EditChange[];
}

/** A reason and how many runs gave it. */
export class ReasonCount {
  @IsString() reason!: string;
  @IsInt() @Min(0) runs!: number;
}

/** The median and the 95th percentile, in ms; null without any run to measure. */
export class Percentiles {
  @Nullable() @IsNumber() p50!: number | null;
  @Nullable() @IsNumber() p95!: number | null;
}

const rateOf = (description: string) =>
  Nullable(`${description}; null when there is none to divide by.`);

/** What `GET /v1/stats` reports for one filter; every rate is defined in docs/outcomes.md. */
export class OutcomeStats {
  @IsInt() @Min(0) runs!: number;
  @JSONSchema({
    description: 'Runs by outcome (docs/outcomes.md).',
    type: 'object',
    properties: Object.fromEntries(OUTCOMES.map((o) => [o, { type: 'integer', minimum: 0 }])),
    required: [...OUTCOMES],
  })
  @IsObject()
  outcomes!: OutcomeTotals['byOutcome'];
  @IsInt() @Min(0) ended!: number;
  @IsInt() @Min(0) escalated!: number;
  @IsInt() @Min(0) reviewed!: number;
  @IsInt() @Min(0) corrected!: number;
  @rateOf('Completed runs (with or without a person) over ended runs')
  @IsNumber()
  completionRate!: number | null;
  @rateOf('Runs completed without a person over ended runs') @IsNumber() automationRate!:
    number | null;
  @rateOf('Runs that waited for a person at least once over all runs') @IsNumber() escalationRate!:
    number | null;
  @rateOf('Reviews that edited or rejected the proposal over reviewed runs')
  @IsNumber()
  correctionRate!: number | null;
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => ReasonCount)
  topEscalationReasons!: ReasonCount[];
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => ReasonCount)
  topFailureReasons!: ReasonCount[];
  @ValidateNested() @Type(() => Percentiles) timeToOutcomeMs!: Percentiles;
  @ValidateNested() @Type(() => Percentiles) reviewWaitMs!: Percentiles;
  @IsInt() @Min(0) tokens!: number;
  @rateOf('Tokens over runs') @IsNumber() tokensPerRun!: number | null;
  @IsNumber() @Min(0) costUsd!: number;
  @rateOf('Cost over runs, in USD') @IsNumber() costPerRunUsd!: number | null;
  @Nullable(
    "Completed runs times their version's `manualMinutes`; null when no version in scope declares it.",
  )
  @IsNumber()
  timeSavedMinutes!: number | null;
}

/** The time window the stats cover: `since` inclusive, `until` exclusive; null when open. */
export class StatsWindow {
  @Nullable() @IsISO8601() since!: string | null;
  @Nullable() @IsISO8601() until!: string | null;
}

/** `GET /v1/stats`: the stats of the runs in the window and filter. */
export class StatsAnswer extends OutcomeStats {
  @ValidateNested() @Type(() => StatsWindow) window!: StatsWindow;
  @Nullable() @IsString() workflowId!: string | null;
  @Nullable() @IsInt() version!: number | null;
  @Nullable() @IsString() tenant!: string | null;
}

/** One version's stats, of two side by side. */
export class VersionStats {
  @IsInt() @Min(1) version!: number;
  @ValidateNested() @Type(() => OutcomeStats) stats!: OutcomeStats;
}

/** Two versions of one workflow, side by side. */
export class VersionComparison {
  @IsString() workflowId!: string;
  @IsArray() @ValidateNested({ each: true }) @Type(() => VersionStats) versions!: VersionStats[];
}

/** `GET /v1/stats?workflow=…&compare=3,4`: two versions side by side. */
export class StatsComparison extends VersionComparison {
  @ValidateNested() @Type(() => StatsWindow) window!: StatsWindow;
  @Nullable() @IsString() tenant!: string | null;
}

/** `GET /v1/stats/corrections`: what reviewers corrected, newest run first. */
export class CorrectionsAnswer {
  @ValidateNested() @Type(() => StatsWindow) window!: StatsWindow;
  @IsArray() @ValidateNested({ each: true }) @Type(() => Correction) items!: Correction[];
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
  ): Promise<VersionComparison> {
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
