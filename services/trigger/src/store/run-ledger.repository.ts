import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { RunEvent } from '@baton/contracts';
import type { DeadLetterReport } from '@baton/service-kit';
import {
  DEAD_LETTERED,
  NOT_DEDUPLICATING_SQL,
  RUNNING,
  WAITING_FOR_REVIEW,
  mayMoveSql,
  type RunMove,
} from '../domain/run-status.js';
import { SqlFilter } from './sql-filter.js';

/** A run as the ledger keeps it (`runs`). */
export interface RunRow {
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
  event_digest: string | null;
  escalation_reason: string | null;
  trace_id: string | null;
  review_outcome: string | null;
  review_proposed: unknown;
  review_edited: unknown;
  created_at: Date;
  updated_at: Date;
  ended_at: Date | null;
}

/** A step as the ledger keeps it (`run_steps`). */
export interface StepRow {
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

export interface NewRun {
  id: string;
  tenantId: string;
  idempotencyKey: string;
  workflow: { id: string; version: number };
  eventType: string;
  source: string | null;
  trigger: unknown;
  digest: string;
  dedupKey: string | null;
  /** The trace the run started in (W3C trace id), or null with tracing off. */
  traceId: string | null;
  /** Set for a run a backtest started: the outcome stats leave it out. */
  backtestId?: string;
}

/** A step report (`step.finished`) for the ledger. */
export interface StepReport {
  runId: string;
  step: NonNullable<RunEvent['step']>;
  /** The run event's time. */
  at: string;
}

export interface RunFilter {
  workflowId?: string;
  status?: string;
  since?: string;
  until?: string;
  /** The last run id of the previous page. */
  cursor?: string;
  limit: number;
}

/** A running run past its deadline, with the step it last reported. */
export interface OverdueRow {
  id: string;
  workflow_id: string;
  workflow_version: number;
  tenant_id: string;
  /** The catalog's `limits.deadlineMinutes`; null when it does not hold the version. */
  deadline_minutes: number | null;
  created_at: Date;
  /** The time of the run's latest run event (a step report, a resume). */
  updated_at: Date;
  /** When the deadline passed: created_at + the deadline + the time spent waiting for review. */
  deadline_at: Date;
  /** The step that finished last, as run_steps has it; null when none is recorded. */
  step_name: string | null;
  step_kind: string | null;
  step_seq: number | null;
  step_finished_at: Date | null;
  /** Its dead letter (topic, reason), when that step was dead-lettered. */
  step_dead_letter: DeadLetterReport | null;
}

/**
 * The trigger service's run ledger (`runs`, `run_steps`): every statement on them, and the
 * status rules they keep (domain/run-status.ts): a terminal status is never changed, and only
 * a `running` run expires.
 * Methods take the transaction's manager (or the data source, for reads outside one).
 */
@Injectable()
export class RunLedger {
  /** Inserts a new running run; false when one with the idempotency key exists already. */
  async insert(manager: EntityManager, run: NewRun): Promise<boolean> {
    const inserted: unknown[] = await manager.query(
      `INSERT INTO runs (id, tenant_id, idempotency_key, workflow_id, workflow_version, event_type, source, status, trigger, event_digest, dedup_key, trace_id, backtest_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, '${RUNNING}', $8, $9, $10, $11, $12)
       ON CONFLICT (tenant_id, idempotency_key) DO NOTHING
       RETURNING id`,
      [
        run.id,
        run.tenantId,
        run.idempotencyKey,
        run.workflow.id,
        run.workflow.version,
        run.eventType,
        run.source,
        JSON.stringify(run.trigger),
        run.digest,
        run.dedupKey,
        run.traceId,
        run.backtestId ?? null,
      ],
    );
    return inserted.length > 0;
  }

  async findByIdempotencyKey(
    manager: EntityManager,
    tenantId: string,
    idempotencyKey: string,
  ): Promise<
    Pick<RunRow, 'id' | 'workflow_id' | 'workflow_version' | 'status' | 'event_digest'> | undefined
  > {
    const rows: Array<
      Pick<RunRow, 'id' | 'workflow_id' | 'workflow_version' | 'status' | 'event_digest'>
    > = await manager.query(
      'SELECT id, workflow_id, workflow_version, status, event_digest FROM runs WHERE tenant_id = $1 AND idempotency_key = $2',
      [tenantId, idempotencyKey],
    );
    return rows[0];
  }

  /**
   * The latest run of the same business entity (`dedup_key`) since `since`, that did the work
   * (not failed or cancelled). Callers hold `lockDedupKey` for the rest of the transaction.
   */
  async findByDedupKey(
    manager: EntityManager,
    key: { tenantId: string; workflowId: string; dedupKey: string },
    since: Date,
  ): Promise<Pick<RunRow, 'id' | 'workflow_version' | 'status'> | undefined> {
    const rows: Array<Pick<RunRow, 'id' | 'workflow_version' | 'status'>> = await manager.query(
      `SELECT id, workflow_version, status FROM runs
        WHERE tenant_id = $1 AND workflow_id = $2 AND dedup_key = $3 AND created_at > $4
          AND status NOT IN ${NOT_DEDUPLICATING_SQL}
        ORDER BY created_at DESC LIMIT 1`,
      [key.tenantId, key.workflowId, key.dedupKey, since],
    );
    return rows[0];
  }

  /** Serialises starts of one business entity until the transaction ends. */
  async lockDedupKey(
    manager: EntityManager,
    key: { tenantId: string; workflowId: string; dedupKey: string },
  ): Promise<void> {
    await manager.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
      JSON.stringify(['baton:dedup', key.tenantId, key.workflowId, key.dedupKey]),
    ]);
  }

  /** The run, locked for an update in this transaction. */
  async lock(
    manager: EntityManager,
    runId: string,
  ): Promise<
    Pick<RunRow, 'workflow_id' | 'workflow_version' | 'tenant_id' | 'status'> | undefined
  > {
    const rows: Array<Pick<RunRow, 'workflow_id' | 'workflow_version' | 'tenant_id' | 'status'>> =
      await manager.query(
        'SELECT workflow_id, workflow_version, tenant_id, status FROM runs WHERE id = $1 FOR UPDATE',
        [runId],
      );
    return rows[0];
  }

  /**
   * Ends the run with `status`, if it may make `end.move` (by default `end`: unless it has
   * ended already, the first end wins; `expire`: only a run still `running`). Whether this
   * call ended it.
   */
  async end(
    manager: EntityManager,
    runId: string,
    end: {
      status: string;
      reason: string | null;
      at: Date | string;
      move?: Extract<RunMove, 'end' | 'expire'>;
    },
  ): Promise<boolean> {
    const result: unknown[] = await manager.query(
      `UPDATE runs SET status = $2, reason = $3, updated_at = $4, ended_at = $4
        WHERE id = $1 AND ${mayMoveSql(end.move ?? 'end')} RETURNING id`,
      [runId, end.status, end.reason, end.at],
    );
    // TypeORM answers an UPDATE on Postgres with [rows, count].
    const rows = Array.isArray(result[0]) ? (result[0] as unknown[]) : result;
    return rows.length > 0;
  }

  /** A run that has not ended waits for a person (`wait`) or runs again (`resume`). */
  async move(
    manager: EntityManager,
    runId: string,
    move: Extract<RunMove, 'wait' | 'resume'>,
    reason: string | null,
    at: string,
  ): Promise<void> {
    const status = move === 'wait' ? WAITING_FOR_REVIEW : RUNNING;
    await manager.query(
      `UPDATE runs SET status = $2, reason = $3, updated_at = $4
       WHERE id = $1 AND ${mayMoveSql(move)}`,
      [runId, status, reason, at],
    );
  }

  /**
   * The wait for a person begins (it does not count against the run's deadline); the first
   * escalation's reason is kept for the outcome stats.
   */
  async startWaiting(
    manager: EntityManager,
    runId: string,
    at: string,
    reason: string | null,
  ): Promise<void> {
    await manager.query(
      `UPDATE runs SET waiting_since = COALESCE(waiting_since, $2::timestamptz),
         escalation_reason = COALESCE(escalation_reason, $3)
       WHERE id = $1 AND status = '${WAITING_FOR_REVIEW}'`,
      [runId, at, reason],
    );
  }

  /** A person's verdict on the run (the last one counts), with the edit kept as a diff. */
  async recordReview(
    manager: EntityManager,
    runId: string,
    review: NonNullable<RunEvent['review']>,
  ): Promise<void> {
    await manager.query(
      `UPDATE runs SET review_outcome = $2, review_proposed = $3, review_edited = $4 WHERE id = $1`,
      [
        runId,
        review.outcome,
        review.proposed ? JSON.stringify(review.proposed) : null,
        review.edited ? JSON.stringify(review.edited) : null,
      ],
    );
  }

  /** The wait ends: its length is added to `waited_ms`. */
  async stopWaiting(manager: EntityManager, runId: string, at: string): Promise<void> {
    await manager.query(
      `UPDATE runs SET waiting_since = NULL,
         waited_ms = waited_ms + GREATEST(0, floor(extract(epoch FROM ($2::timestamptz - waiting_since)) * 1000))::bigint
       WHERE id = $1 AND waiting_since IS NOT NULL AND ${mayMoveSql('resume')}`,
      [runId, at],
    );
  }

  /**
   * The step reports of a batch (a group of run events sharing a transaction), in one
   * statement whatever their number: a multi-row INSERT into run_steps and, with it, one UPDATE
   * of the runs' `updated_at` (each run once, to its latest report). One row per envelope: a
   * redelivered report changes nothing, but a step reported dead-lettered gets the report of
   * the replay that handled it. An envelope reported twice in one batch starts a second INSERT
   * (one statement may not touch a row twice), so the reports apply in order.
   */
  async recordSteps(manager: EntityManager, reports: StepReport[]): Promise<void> {
    if (reports.length === 0) return;
    const chunks: StepReport[][] = [[]];
    let seen = new Set<string>();
    for (const report of reports) {
      if (seen.has(report.step.envelopeId)) {
        chunks.push([]);
        seen = new Set();
      }
      seen.add(report.step.envelopeId);
      chunks[chunks.length - 1]!.push(report);
    }
    const latest = new Map<string, string>();
    for (const { runId, at } of reports) {
      const before = latest.get(runId);
      if (before === undefined || Date.parse(at) > Date.parse(before)) latest.set(runId, at);
    }
    for (const [i, chunk] of chunks.entries()) {
      const values: unknown[] = [];
      const tuples = chunk.map(({ runId, step }) => {
        values.push(
          step.envelopeId,
          runId,
          step.seq,
          step.name,
          step.kind,
          step.attempt,
          step.outcome,
          step.input ? JSON.stringify(step.input) : null,
          step.output ? JSON.stringify(step.output) : null,
          step.startedAt,
          step.finishedAt,
        );
        const b = values.length - 10;
        return `(${Array.from({ length: 11 }, (_, i) => `$${b + i}`).join(', ')})`;
      });
      const insert = `INSERT INTO run_steps (envelope_id, run_id, seq, name, kind, attempt, outcome, input, output, started_at, finished_at)
         VALUES ${tuples.join(', ')}
         ON CONFLICT (envelope_id) DO UPDATE SET
           attempt = EXCLUDED.attempt, outcome = EXCLUDED.outcome, input = EXCLUDED.input,
           output = EXCLUDED.output, started_at = EXCLUDED.started_at,
           finished_at = EXCLUDED.finished_at
         WHERE run_steps.outcome = '${DEAD_LETTERED}'`;
      if (i < chunks.length - 1) {
        await manager.query(insert, values);
        continue;
      }
      // The last INSERT and the runs' UPDATE in one statement (one round trip): different
      // tables, so neither sees the other's rows.
      values.push(JSON.stringify([...latest].map(([id, at]) => ({ id, at }))));
      await manager.query(
        `WITH steps AS (${insert})
         UPDATE runs SET updated_at = GREATEST(runs.updated_at, v.at)
           FROM jsonb_to_recordset($${values.length}::jsonb) AS v(id uuid, at timestamptz)
          WHERE runs.id = v.id`,
        values,
      );
    }
  }

  /**
   * Claims (locks, skipping runs another instance holds) up to `batchSize` running runs past
   * their deadline plus `graceMinutes` at `now`, oldest first. `limits` are the catalog's
   * deadlines; a version it does not hold gets `unknownDeadlineMinutes`.
   */
  async claimOverdue(
    manager: EntityManager,
    options: {
      now: Date;
      limits: Array<{ id: string; version: number; minutes: number }>;
      graceMinutes: number;
      unknownDeadlineMinutes: number;
      batchSize: number;
    },
  ): Promise<OverdueRow[]> {
    const { now, limits, graceMinutes, unknownDeadlineMinutes, batchSize } = options;
    // No run can be overdue before the shortest deadline: this bound lets the partial index
    // (running, by created_at) skip the recent runs.
    const shortest = Math.min(unknownDeadlineMinutes, ...limits.map((l) => l.minutes));
    return manager.query(
      `WITH limits AS (
         SELECT * FROM jsonb_to_recordset($1::jsonb) AS l(id text, version integer, minutes integer)
       )
       SELECT r.id, r.workflow_id, r.workflow_version, r.tenant_id, l.minutes AS deadline_minutes,
              r.created_at, r.updated_at,
              r.created_at
                + make_interval(mins => COALESCE(l.minutes, $4))
                + r.waited_ms * interval '1 millisecond' AS deadline_at,
              s.name AS step_name, s.kind AS step_kind, s.seq AS step_seq,
              s.finished_at AS step_finished_at,
              CASE WHEN s.outcome = '${DEAD_LETTERED}' THEN s.output->'deadLetter' END AS step_dead_letter
       FROM runs r
       LEFT JOIN limits l ON l.id = r.workflow_id AND l.version = r.workflow_version
       LEFT JOIN LATERAL (
         SELECT name, kind, seq, finished_at, outcome, output FROM run_steps
          WHERE run_id = r.id ORDER BY finished_at DESC, seq DESC LIMIT 1
       ) s ON true
       WHERE ${mayMoveSql('expire', 'r.status')}
         AND r.created_at <= $2::timestamptz - make_interval(mins => $3)
         AND r.created_at
             + make_interval(mins => COALESCE(l.minutes, $4) + $5)
             + r.waited_ms * interval '1 millisecond' <= $2::timestamptz
       ORDER BY r.created_at
       LIMIT $6
       FOR UPDATE OF r SKIP LOCKED`,
      [
        JSON.stringify(limits),
        now,
        shortest + graceMinutes,
        unknownDeadlineMinutes,
        graceMinutes,
        batchSize,
      ],
    );
  }

  /** A page of runs, newest first (run ids are UUIDv7: the id is the paging key). */
  async list(manager: EntityManager, filter: RunFilter): Promise<RunRow[]> {
    const sql = new SqlFilter();
    if (filter.workflowId) sql.add('workflow_id = ?', filter.workflowId);
    if (filter.status) sql.add('status = ?', filter.status);
    if (filter.since) sql.add('created_at >= ?', filter.since);
    if (filter.until) sql.add('created_at < ?', filter.until);
    if (filter.cursor) sql.add('id < ?', filter.cursor);
    const params = [...sql.params, filter.limit + 1];
    return manager.query(
      `SELECT * FROM runs ${sql.where} ORDER BY id DESC LIMIT $${params.length}`,
      params,
    );
  }

  async get(manager: EntityManager, id: string): Promise<RunRow | undefined> {
    const rows: RunRow[] = await manager.query('SELECT * FROM runs WHERE id = $1', [id]);
    return rows[0];
  }

  async steps(manager: EntityManager, runId: string): Promise<StepRow[]> {
    return manager.query(
      'SELECT * FROM run_steps WHERE run_id = $1 ORDER BY seq, finished_at, envelope_id',
      [runId],
    );
  }
}
