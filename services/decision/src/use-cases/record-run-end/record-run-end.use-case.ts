import { Injectable } from '@nestjs/common';
import type { RunEvent } from '@baton/contracts';
import type { EntityManager } from 'typeorm';

/** How a run ended, as the decision service remembers it. */
export interface EndedRun {
  status: string;
  reason: string | null;
}

/**
 * Remembers that a run ended (`run.ended` from any service: a cancellation, or the decision
 * service's own completed / failed / rejected). The first terminal event wins; later ones and
 * redeliveries change nothing. Other run events are not this service's concern.
 */
@Injectable()
export class RecordRunEndUseCase {
  async execute(event: RunEvent, manager: EntityManager): Promise<void> {
    if (event.type !== 'run.ended') return;
    await manager.query(
      `INSERT INTO ended_runs (run_id, status, reason, ended_at)
       VALUES ($1, $2, $3, $4)
       ON CONFLICT (run_id) DO NOTHING`,
      // A run.ended without a status still ends the run.
      [event.runId, event.status ?? 'unknown', event.reason ?? null, event.createdAt],
    );
  }
}

/** The run's end, if it has ended. */
export async function findEndedRun(
  manager: EntityManager,
  runId: string,
): Promise<EndedRun | undefined> {
  const rows: EndedRun[] = await manager.query(
    'SELECT status, reason FROM ended_runs WHERE run_id = $1',
    [runId],
  );
  return rows[0];
}
