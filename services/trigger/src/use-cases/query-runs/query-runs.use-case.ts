import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { Type } from 'class-transformer';
import {
  IsArray,
  IsIn,
  IsInt,
  IsISO8601,
  IsString,
  Matches,
  Min,
  ValidateNested,
} from 'class-validator';
import { AnyJson, Nullable, RUN_STATUSES, STEP_KINDS, WorkflowRef } from '@baton/contracts';
import { DATA_SOURCE } from '@baton/service-kit';
import { TriggerErrorCode, TriggerError } from '../../domain/trigger-error.js';
import { RunLedger, type RunFilter, type RunRow } from '../../store/run-ledger.repository.js';

export type { RunFilter };

/** A run as `GET /v1/runs` lists it. */
export class RunSummary {
  @IsString() id!: string;
  @IsString() tenantId!: string;
  @IsString() idempotencyKey!: string;
  @ValidateNested() @Type(() => WorkflowRef) workflow!: WorkflowRef;
  @IsString() eventType!: string;
  @Nullable() @IsString() source!: string | null;
  @IsIn(RUN_STATUSES) status!: string;
  @Nullable('Why the run ended or waits (null while it runs, or for a plain completion).')
  @IsString()
  reason!: string | null;
  @IsISO8601() createdAt!: string;
  @IsISO8601() updatedAt!: string;
  @Nullable('When the run ended; null while it has not.') @IsISO8601() endedAt!: string | null;
  @Nullable('The W3C trace id of the run (find it in Jaeger); null with tracing off.')
  @Matches(/^[0-9a-f]{32}$/)
  traceId!: string | null;
}

/** One finished step of a run, as the ledger recorded it. */
export class RunStep {
  @IsString() envelopeId!: string;
  @IsInt() @Min(0) seq!: number;
  @IsString() name!: string;
  @IsIn(STEP_KINDS) kind!: string;
  @IsInt() @Min(0) attempt!: number;
  @IsString() outcome!: string;
  @AnyJson('What the step got: its payload.') input!: unknown;
  @AnyJson('What the step produced.') output!: unknown;
  @IsISO8601() startedAt!: string;
  @IsISO8601() finishedAt!: string;
  @IsInt() @Min(0) durationMs!: number;
}

/** One run with every step, as `GET /v1/runs/{id}` answers it. */
export class RunDetail extends RunSummary {
  @AnyJson('The trigger event as the run took it.') trigger!: unknown;
  @IsArray() @ValidateNested({ each: true }) @Type(() => RunStep) steps!: RunStep[];
}

/** A page of runs, newest first. */
export class RunPage {
  @IsArray() @ValidateNested({ each: true }) @Type(() => RunSummary) items!: RunSummary[];
  @Nullable('The cursor of the next page; null on the last page.')
  @IsString()
  nextCursor!: string | null;
}

const summary = (row: RunRow): RunSummary => ({
  id: row.id,
  tenantId: row.tenant_id,
  idempotencyKey: row.idempotency_key,
  workflow: { id: row.workflow_id, version: row.workflow_version },
  eventType: row.event_type,
  source: row.source,
  status: row.status,
  reason: row.reason,
  createdAt: row.created_at.toISOString(),
  updatedAt: row.updated_at.toISOString(),
  endedAt: row.ended_at?.toISOString() ?? null,
  traceId: row.trace_id,
});

/** Reads the run ledger. */
@Injectable()
export class QueryRunsUseCase {
  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    private readonly ledger: RunLedger,
  ) {}

  async list(filter: RunFilter): Promise<RunPage> {
    const rows = await this.ledger.list(this.dataSource.manager, filter);
    const page = rows.slice(0, filter.limit);
    return {
      items: page.map(summary),
      nextCursor: rows.length > filter.limit ? page[page.length - 1]!.id : null,
    };
  }

  async get(id: string): Promise<RunDetail> {
    const run = await this.ledger.get(this.dataSource.manager, id);
    if (!run) throw new TriggerError(TriggerErrorCode.RunNotFound, `no run ${id}`);
    const steps = await this.ledger.steps(this.dataSource.manager, id);
    return {
      ...summary(run),
      trigger: run.trigger,
      steps: steps.map((s) => ({
        envelopeId: s.envelope_id,
        seq: s.seq,
        name: s.name,
        kind: s.kind,
        attempt: s.attempt,
        outcome: s.outcome,
        input: s.input,
        output: s.output,
        startedAt: s.started_at.toISOString(),
        finishedAt: s.finished_at.toISOString(),
        durationMs: s.finished_at.getTime() - s.started_at.getTime(),
      })),
    };
  }
}
