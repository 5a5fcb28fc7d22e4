import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { DATA_SOURCE } from '@baton/service-kit';
import { TriggerErrorCode, TriggerError } from '../../domain/trigger-error.js';
import { RunLedger, type RunFilter, type RunRow } from '../../store/run-ledger.repository.js';

export type { RunFilter };

const summary = (row: RunRow) => ({
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

  async list(filter: RunFilter) {
    const rows = await this.ledger.list(this.dataSource.manager, filter);
    const page = rows.slice(0, filter.limit);
    return {
      items: page.map(summary),
      nextCursor: rows.length > filter.limit ? page[page.length - 1]!.id : null,
    };
  }

  async get(id: string) {
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
