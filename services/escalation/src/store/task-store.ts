import { Injectable } from '@nestjs/common';
import { UUID_V7_PATTERN, type StepEnvelope } from '@baton/contracts';
import type { EntityManager } from 'typeorm';
import { EscalationError, EscalationErrorCode } from '../domain/escalation-error.js';
import type {
  Highlight,
  ReviewOutcome,
  ReviewRecord,
  Reviewer,
  TaskRow,
  TaskStatus,
} from '../domain/task.js';
import { CLAIMED_BY_OTHER } from './claim-store.js';

export interface NewTask {
  id: string;
  envelope: StepEnvelope<'escalation'>;
  queue: string;
  createdAt: Date;
  slaDueAt: Date;
  highlights: Highlight[];
}

export interface TaskFilter {
  status?: TaskStatus;
  queue?: string;
  workflowId?: string;
  runId?: string;
  /** Tasks older than this one (ids are UUIDv7: they sort by creation time). */
  before?: string;
  limit: number;
}

export interface TaskDecision {
  status: Exclude<TaskStatus, 'open' | 'closed'>;
  outcome: ReviewOutcome;
  reviewer: Reviewer;
  review: ReviewRecord;
  decidedAt: Date;
  /** Decide even if someone else holds a live claim (an admin; the SLA fallback). */
  overrideClaim?: boolean;
}

/**
 * The `tasks` table: tasks, their lists and their decisions (unqualified: the service's schema
 * is the search path). Each method runs on the manager it is given: the caller's transaction,
 * or the data source's own.
 */
@Injectable()
export class TaskStore {
  /** Inserts the task for an escalation envelope; undefined when that envelope already has one. */
  async insert(manager: EntityManager, task: NewTask): Promise<string | undefined> {
    const { envelope } = task;
    const rows: Array<{ id: string }> = await manager.query(
      `INSERT INTO tasks (id, source_envelope_id, run_id, workflow_id, workflow_version, tenant_id, queue,
                          status, reason, proposal, state, envelope, created_at, sla_due_at, highlights)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 'open', $8, $9, $10, $11, $12, $13, $14)
       ON CONFLICT (source_envelope_id) DO NOTHING
       RETURNING id`,
      [
        task.id,
        envelope.envelopeId,
        envelope.runId,
        envelope.workflow.id,
        envelope.workflow.version,
        envelope.tenantId,
        task.queue,
        envelope.payload.reason,
        envelope.payload.decision ? JSON.stringify(envelope.payload.decision) : null,
        JSON.stringify(envelope.payload.state),
        JSON.stringify(envelope),
        task.createdAt,
        task.slaDueAt,
        JSON.stringify(task.highlights),
      ],
    );
    return rows[0]?.id;
  }

  async findBySource(manager: EntityManager, envelopeId: string): Promise<TaskRow | undefined> {
    const rows: TaskRow[] = await manager.query(
      'SELECT * FROM tasks WHERE source_envelope_id = $1',
      [envelopeId],
    );
    return rows[0];
  }

  async find(manager: EntityManager, id: string): Promise<TaskRow | undefined> {
    const rows: TaskRow[] = await manager.query('SELECT * FROM tasks WHERE id = $1', [id]);
    return rows[0];
  }

  /** The task, or `task-not-found` (an id that is not a UUIDv7 names no task). */
  async load(manager: EntityManager, id: string): Promise<TaskRow> {
    const row = UUID_V7_PATTERN.test(id) ? await this.find(manager, id) : undefined;
    if (!row) throw new EscalationError(EscalationErrorCode.TaskNotFound, `no task ${id}`);
    return row;
  }

  /** Newest first. */
  async list(manager: EntityManager, filter: TaskFilter): Promise<TaskRow[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (filter.status) add('status = ?', filter.status);
    if (filter.queue) add('queue = ?', filter.queue);
    if (filter.workflowId) add('workflow_id = ?', filter.workflowId);
    if (filter.runId) add('run_id = ?', filter.runId);
    if (filter.before) add('id < ?', filter.before);
    params.push(filter.limit);
    return manager.query(
      `SELECT * FROM tasks ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY id DESC LIMIT $${params.length}`,
      params,
    );
  }

  /**
   * Records a decision on an open task. Exactly one of concurrent decisions wins: the others
   * find the row no longer open (after waiting for the winner's lock) and get undefined, as
   * does a decision on a task someone else has claimed (unless it overrides the claim).
   */
  async decide(
    manager: EntityManager,
    id: string,
    decision: TaskDecision,
  ): Promise<TaskRow | undefined> {
    const rows: TaskRow[] = await manager.query(
      `WITH decided AS (
         UPDATE tasks
            SET status = $2, outcome = $3, reviewer_name = $4, reviewer_role = $5, review = $6,
                decided_at = $7
          WHERE id = $1 AND status = 'open' AND ($8 OR NOT ${CLAIMED_BY_OTHER('$4', '$7')})
      RETURNING *)
       SELECT * FROM decided`,
      [
        id,
        decision.status,
        decision.outcome,
        decision.reviewer.name,
        decision.reviewer.role,
        JSON.stringify(decision.review),
        decision.decidedAt,
        decision.overrideClaim ?? false,
      ],
    );
    return rows[0];
  }

  /**
   * Closes the run's open tasks: they can no longer be decided. Decided tasks keep their
   * decision. Waits for a concurrent review's lock; a task it decided stays decided.
   */
  async closeOfRun(
    manager: EntityManager,
    runId: string,
    reason: string,
    closedAt: Date,
  ): Promise<TaskRow[]> {
    return manager.query(
      `WITH closed AS (
         UPDATE tasks SET status = 'closed', closed_reason = $2, closed_at = $3
          WHERE run_id = $1 AND status = 'open'
      RETURNING *)
       SELECT * FROM closed`,
      [runId, reason, closedAt],
    );
  }
}
