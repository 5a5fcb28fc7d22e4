import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { TERMINAL_STATUSES, type RunEvent } from '@baton/contracts';
import { Routes, type OutboxTransaction } from '@baton/messaging';

/** The outcome of a step reported dead-lettered (reportDeadLetteredSteps): a replay replaces it. */
const DEAD_LETTERED = 'dead-lettered';
const TERMINAL = `(${TERMINAL_STATUSES.map((s) => `'${s}'`).join(', ')})`;

/**
 * Keeps the run ledger from the run-events topic: steps with their input, output, timing and
 * outcome, and the run's status. A terminal status is final: later events do not reopen it.
 * Every `run.ended` is relayed, in the same transaction, to the run-ended topic the step
 * services follow, so each learns that a run ended without reading every run event.
 */
@Injectable()
export class RecordRunEventUseCase {
  constructor(private readonly routes: Routes) {}

  async execute(event: RunEvent, tx: OutboxTransaction): Promise<void> {
    const { manager } = tx;
    switch (event.type) {
      case 'run.started':
        // The trigger service created the row when it started the run.
        return;
      case 'step.finished': {
        // One row per envelope: a redelivered report changes nothing, but a step reported
        // dead-lettered gets the report of the replay that handled it.
        const step = event.step;
        if (!step) return;
        await manager.query(
          `INSERT INTO run_steps (envelope_id, run_id, seq, name, kind, attempt, outcome, input, output, started_at, finished_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
           ON CONFLICT (envelope_id) DO UPDATE SET
             attempt = EXCLUDED.attempt, outcome = EXCLUDED.outcome, input = EXCLUDED.input,
             output = EXCLUDED.output, started_at = EXCLUDED.started_at,
             finished_at = EXCLUDED.finished_at
           WHERE run_steps.outcome = '${DEAD_LETTERED}'`,
          [
            step.envelopeId,
            event.runId,
            step.seq,
            step.name,
            step.kind,
            step.attempt,
            step.outcome,
            step.input ? JSON.stringify(step.input) : null,
            step.output ? JSON.stringify(step.output) : null,
            step.startedAt,
            step.finishedAt,
          ],
        );
        await this.touch(manager, event.runId, event.createdAt);
        return;
      }
      case 'run.waiting':
        await this.setStatus(manager, event, 'waiting-for-review', event.reason ?? null, false);
        // The wait does not count against the run's deadline (see the run deadline sweeper).
        await manager.query(
          `UPDATE runs SET waiting_since = COALESCE(waiting_since, $2::timestamptz)
           WHERE id = $1 AND status = 'waiting-for-review'`,
          [event.runId, event.createdAt],
        );
        return;
      case 'run.resumed':
        await manager.query(
          `UPDATE runs SET waiting_since = NULL,
             waited_ms = waited_ms + GREATEST(0, floor(extract(epoch FROM ($2::timestamptz - waiting_since)) * 1000))::bigint
           WHERE id = $1 AND waiting_since IS NOT NULL AND status NOT IN ${TERMINAL}`,
          [event.runId, event.createdAt],
        );
        return this.setStatus(manager, event, 'running', null, false);
      case 'run.ended':
        await this.setStatus(manager, event, event.status ?? 'failed', event.reason ?? null, true);
        // Relayed as it is, however it ended (the services keep the first end of a run).
        tx.emit(this.routes.get('run.ended'), event);
        return;
    }
  }

  private async setStatus(
    manager: EntityManager,
    event: RunEvent,
    status: string,
    reason: string | null,
    ended: boolean,
  ) {
    await manager.query(
      `UPDATE runs SET status = $2, reason = $3, updated_at = $4, ended_at = CASE WHEN $5 THEN $4::timestamptz ELSE ended_at END
       WHERE id = $1 AND status NOT IN ${TERMINAL}`,
      [event.runId, status, reason, event.createdAt, ended],
    );
  }

  private async touch(manager: EntityManager, runId: string, at: string) {
    await manager.query(
      'UPDATE runs SET updated_at = GREATEST(updated_at, $2::timestamptz) WHERE id = $1',
      [runId, at],
    );
  }
}
