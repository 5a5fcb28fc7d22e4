import { Inject, Injectable } from '@nestjs/common';
import { Type } from 'class-transformer';
import {
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsObject,
  IsString,
  Min,
  ValidateNested,
} from 'class-validator';
import { JSONSchema } from 'class-validator-jsonschema';
import type { DataSource } from 'typeorm';
import { Nullable, WorkflowRef } from '@baton/contracts';
import { DATA_SOURCE, WORKFLOWS } from '@baton/service-kit';
import type { WorkflowCatalog } from '@baton/workflow';
import {
  COURSES,
  agreesWithCorrection,
  figuresOf,
  type Course,
  type RunFigures,
} from '../../domain/backtest-report.js';
import { rate } from '../../domain/outcomes.js';
import { TriggerError, TriggerErrorCode } from '../../domain/trigger-error.js';
import { Backtests, type BacktestPair } from '../../store/backtests.repository.js';
import { BacktestWindow } from '../start-backtest/start-backtest.use-case.js';

/** What a backtest states about the data its runs read. */
export const BACKTEST_READS_NOTE =
  'Reads ran against the business data as it is now, not as it was when the original runs ran; writes were simulated, never made.';

/** A write: the tool and its args. */
export class BacktestWrite {
  @IsString() tool!: string;
  @IsObject() args!: Record<string, unknown>;
}

/** What one run (the original, or the candidate's replay) did. */
export class BacktestRunFigures {
  @JSONSchema({
    description:
      'completed (on its own), asks-a-person (escalated, or needed approval; a backtest run stops there), failed, cancelled, running (not ended yet), not-started (the candidate would not start on the event).',
  })
  @IsIn(COURSES)
  course!: Course;
  @IsBoolean() escalated!: boolean;
  @Nullable(
    'The first write it proposed (the one a reviewer saw, for a reviewed original run); null for none.',
  )
  @ValidateNested()
  @Type(() => BacktestWrite)
  proposal!: BacktestWrite | null;
  @JSONSchema({ description: 'Writes made (original) or simulated (the candidate).' })
  @IsInt()
  @Min(0)
  writes!: number;
  @JSONSchema({ description: 'Write proposals refused by validation or the action step.' })
  @IsInt()
  @Min(0)
  refusedWrites!: number;
  @IsNumber() tokens!: number;
  @IsNumber() costUsd!: number;
}

/** One replayed run: the original run and the candidate's run of the same trigger. */
export class BacktestRunReport {
  @IsString() sourceRunId!: string;
  @Nullable('The backtest run; null while it has not started, or when it did not.')
  @IsString()
  runId!: string | null;
  @IsString() tenantId!: string;
  @Nullable('Why the candidate would not start a run on this trigger; null when it did.')
  @IsString()
  notStarted!: string | null;
  @Nullable('The review of the original run: approved, edited, rejected; null for none.')
  @IsString()
  review!: string | null;
  @ValidateNested() @Type(() => BacktestRunFigures) original!: BacktestRunFigures;
  @ValidateNested() @Type(() => BacktestRunFigures) candidate!: BacktestRunFigures;
  @Nullable('Same course (see course); null while the candidate run has not ended.')
  @IsBoolean()
  sameOutcome!: boolean | null;
  @Nullable(
    'For an original run a reviewer edited or rejected: whether the candidate proposed what the reviewer decided (the edited write; for a rejection, anything but the rejected write). Null otherwise, or while running.',
  )
  @IsBoolean()
  agreesWithReviewer!: boolean | null;
}

/** The totals of one side (the original runs, or the candidate's runs of the same triggers). */
export class BacktestSide {
  @IsInt() @Min(0) runs!: number;
  @IsInt() @Min(0) completed!: number;
  @IsInt() @Min(0) asksAPerson!: number;
  @IsInt() @Min(0) failed!: number;
  @Nullable('asksAPerson / runs; null without runs.') @IsNumber() escalationRate!: number | null;
  @IsInt() @Min(0) writes!: number;
  @IsInt() @Min(0) refusedWrites!: number;
  @IsNumber() tokens!: number;
  @IsNumber() costUsd!: number;
}

/** Agreement with what reviewers decided on the original runs. */
export class BacktestCorrections {
  @JSONSchema({ description: 'Original runs a reviewer edited or rejected (the candidate ended).' })
  @IsInt()
  @Min(0)
  corrected!: number;
  @IsInt() @Min(0) edited!: number;
  @IsInt() @Min(0) rejected!: number;
  @JSONSchema({
    description: 'Of those, the runs where the candidate did what the reviewer decided.',
  })
  @IsInt()
  @Min(0)
  agreed!: number;
  @Nullable('agreed / corrected; null when no run was corrected.')
  @IsNumber()
  agreementRate!: number | null;
}

/** The totals: the same runs, the original version beside the candidate. */
export class BacktestTotals {
  @IsInt() @Min(0) runs!: number;
  @JSONSchema({ description: 'Runs whose candidate run has ended (or would not start).' })
  @IsInt()
  @Min(0)
  done!: number;
  @IsInt() @Min(0) sameOutcome!: number;
  @IsInt() @Min(0) differentOutcome!: number;
  @IsInt() @Min(0) notStarted!: number;
  @ValidateNested() @Type(() => BacktestCorrections) corrections!: BacktestCorrections;
  @JSONSchema({
    description:
      'Candidate refused writes above the original run’s, summed over runs: what the new version would newly have had refused.',
  })
  @IsInt()
  @Min(0)
  newRefusedWrites!: number;
  @ValidateNested() @Type(() => BacktestSide) original!: BacktestSide;
  @ValidateNested() @Type(() => BacktestSide) candidate!: BacktestSide;
}

/** `GET /v1/backtests/{id}`: the backtest's report, run by run and in total. */
export class BacktestReport {
  @IsString() backtestId!: string;
  @ValidateNested() @Type(() => WorkflowRef) workflow!: WorkflowRef;
  @IsInt() @Min(1) against!: number;
  @ValidateNested() @Type(() => BacktestWindow) window!: BacktestWindow;
  @IsString() requestedBy!: string;
  @JSONSchema({
    description: 'running until every run has ended (or would not start), then finished.',
  })
  @IsIn(['running', 'finished'])
  status!: 'running' | 'finished';
  @JSONSchema({ description: BACKTEST_READS_NOTE })
  @IsString()
  reads!: string;
  @ValidateNested() @Type(() => BacktestTotals) totals!: BacktestTotals;
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => BacktestRunReport)
  items!: BacktestRunReport[];
}

const NOT_STARTED: RunFigures = {
  course: 'not-started',
  escalated: false,
  proposal: null,
  writes: 0,
  refusedWrites: 0,
  tokens: 0,
  costUsd: 0,
};

/** A backtest's report, computed from the ledger each time it is asked for. */
@Injectable()
export class ReportBacktestUseCase {
  constructor(
    @Inject(WORKFLOWS) private readonly workflows: WorkflowCatalog,
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    private readonly backtests: Backtests,
  ) {}

  async execute(id: string): Promise<BacktestReport> {
    const manager = this.dataSource.manager;
    const backtest = await this.backtests.find(manager, id);
    if (!backtest) {
      throw new TriggerError(TriggerErrorCode.BacktestNotFound, `no backtest ${id}`);
    }
    const pairs = await this.backtests.pairs(manager, id);
    const oldTools = this.writeTools(backtest.workflow_id, backtest.against_version);
    const newTools = this.writeTools(backtest.workflow_id, backtest.version);
    const items = pairs.map((pair) => this.item(pair, oldTools, newTools));
    return {
      backtestId: backtest.id,
      workflow: { id: backtest.workflow_id, version: backtest.version },
      against: backtest.against_version,
      window: { since: backtest.since.toISOString(), until: backtest.until.toISOString() },
      requestedBy: backtest.requested_by,
      status: items.every(isDone) ? 'finished' : 'running',
      reads: BACKTEST_READS_NOTE,
      totals: totalsOf(items),
      items,
    };
  }

  private item(
    pair: BacktestPair,
    oldTools: ReadonlySet<string>,
    newTools: ReadonlySet<string>,
  ): BacktestRunReport {
    const original = figuresOf(pair.original, oldTools);
    const candidate = pair.candidate
      ? figuresOf(pair.candidate, newTools)
      : pair.notStarted
        ? NOT_STARTED
        : { ...NOT_STARTED, course: 'running' as const };
    const ended = candidate.course !== 'running';
    // What the reviewer decided is named in the old version's tools, compared with the new one's.
    const agrees = ended ? agreesWithCorrection(pair.original, candidate, oldTools) : null;
    return {
      sourceRunId: pair.sourceRunId,
      runId: pair.runId,
      tenantId: pair.tenantId,
      notStarted: pair.notStarted,
      review: pair.original.reviewOutcome,
      original,
      candidate,
      sameOutcome: ended ? original.course === candidate.course : null,
      agreesWithReviewer: agrees,
    };
  }

  private writeTools(workflowId: string, version: number): ReadonlySet<string> {
    const workflow = this.workflows.get(workflowId, version);
    return new Set((workflow?.tools ?? []).filter((t) => t.access === 'write').map((t) => t.name));
  }
}

const isDone = (item: BacktestRunReport) => item.candidate.course !== 'running';

function sideOf(figures: RunFigures[]): BacktestSide {
  const count = (course: string) => figures.filter((f) => f.course === course).length;
  const sum = (pick: (f: RunFigures) => number) => figures.reduce((a, f) => a + pick(f), 0);
  return {
    runs: figures.length,
    completed: count('completed'),
    asksAPerson: count('asks-a-person'),
    failed: count('failed'),
    escalationRate: rate(count('asks-a-person'), figures.length),
    writes: sum((f) => f.writes),
    refusedWrites: sum((f) => f.refusedWrites),
    tokens: sum((f) => f.tokens),
    costUsd: sum((f) => f.costUsd),
  };
}

/** Totals over the runs whose candidate run has ended, the two versions side by side. */
export function totalsOf(items: BacktestRunReport[]): BacktestTotals {
  const done = items.filter(isDone);
  const started = done.filter((item) => item.notStarted === null);
  const corrected = done.filter((item) => item.agreesWithReviewer !== null);
  const agreed = corrected.filter((item) => item.agreesWithReviewer === true).length;
  return {
    runs: items.length,
    done: done.length,
    sameOutcome: done.filter((item) => item.sameOutcome === true).length,
    differentOutcome: done.filter((item) => item.sameOutcome === false).length,
    notStarted: done.length - started.length,
    corrections: {
      corrected: corrected.length,
      edited: corrected.filter((item) => item.review === 'edited').length,
      rejected: corrected.filter((item) => item.review === 'rejected').length,
      agreed,
      agreementRate: rate(agreed, corrected.length),
    },
    newRefusedWrites: done.reduce(
      (sum, item) => sum + Math.max(0, item.candidate.refusedWrites - item.original.refusedWrites),
      0,
    ),
    original: sideOf(done.map((item) => item.original)),
    candidate: sideOf(done.map((item) => item.candidate)),
  };
}
