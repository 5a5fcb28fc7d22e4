import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { DATA_SOURCE } from '@baton/service-kit';
import { TriggerErrorCode, TriggerException } from '../../trigger.exception.js';

export interface RunFilter {
  workflowId?: string;
  status?: string;
  since?: string;
  until?: string;
  /** The last run id of the previous page. */
  cursor?: string;
  limit: number;
}

interface RunRow {
  id: string;
  tenant_id: string;
  idempotency_key: string;
  workflow_id: string;
  workflow_version: number;
  event_type: string;
  source: string | null;
  status: string;
  reason: string | null;
  trigger: unknown;
  created_at: Date;
  updated_at: Date;
  ended_at: Date | null;
}

interface StepRow {
  envelope_id: string;
  seq: number;
  name: string;
  kind: string;
  attempt: number;
  outcome: string;
  input: unknown;
  output: unknown;
  started_at: Date;
  finished_at: Date;
}

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
});

/** Reads the run ledger. */
@Injectable()
export class QueryRunsUseCase {
  constructor(@Inject(DATA_SOURCE) private readonly dataSource: DataSource) {}

  async list(filter: RunFilter) {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (filter.workflowId) add('workflow_id = ?', filter.workflowId);
    if (filter.status) add('status = ?', filter.status);
    if (filter.since) add('created_at >= ?', filter.since);
    if (filter.until) add('created_at < ?', filter.until);
    // Run ids are UUIDv7, ordered by creation: the id is the paging key.
    if (filter.cursor) add('id < ?', filter.cursor);
    params.push(filter.limit + 1);
    const rows: RunRow[] = await this.dataSource.query(
      `SELECT * FROM runs ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT $${params.length}`,
      params,
    );
    const page = rows.slice(0, filter.limit);
    return {
      items: page.map(summary),
      nextCursor: rows.length > filter.limit ? page[page.length - 1]!.id : null,
    };
  }

  async get(id: string) {
    const rows: RunRow[] = await this.dataSource.query('SELECT * FROM runs WHERE id = $1', [id]);
    const run = rows[0];
    if (!run) throw new TriggerException(TriggerErrorCode.RunNotFound, `no run ${id}`);
    const steps: StepRow[] = await this.dataSource.query(
      'SELECT * FROM run_steps WHERE run_id = $1 ORDER BY seq, finished_at, envelope_id',
      [id],
    );
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
