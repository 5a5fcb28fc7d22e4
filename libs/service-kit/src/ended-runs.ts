import { Injectable } from '@nestjs/common';
import type { MigrationInterface, QueryRunner, EntityManager } from 'typeorm';
import type { RunEvent } from '@baton/contracts';

/** How a run ended, as a service remembers it. */
export interface EndedRun {
  status: string;
  reason: string | null;
}

const lockOf = (runId: string) => `baton:run:${runId}`;

/**
 * The runs that have ended, as one service knows them from the run-ended topic (the first
 * terminal event of a run wins), and the check every step makes before it acts.
 *
 * The check and the record exclude each other per run: `find` takes a shared transaction lock
 * on the run and `record` an exclusive one, so a run.ended that arrives while a step of the
 * run is under way is recorded only after that step's transaction ended, and every step that
 * starts after it sees it. An ended run never acts again: no source read, no proposal passed
 * on, no tool run, no task opened.
 */
@Injectable()
export class EndedRuns {
  /** Remembers a run's end (idempotent; the first terminal event of a run wins). */
  async record(manager: EntityManager, event: RunEvent): Promise<void> {
    if (event.type !== 'run.ended') return;
    await manager.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
      lockOf(event.runId),
    ]);
    await manager.query(
      `INSERT INTO ended_runs (run_id, status, reason, ended_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (run_id) DO NOTHING`,
      // A run.ended without a status still ends the run.
      [event.runId, event.status ?? 'unknown', event.reason ?? null, event.createdAt],
    );
  }

  /**
   * An SQL expression, true when the run whose id is the parameter `placeholder` ($2) has ended:
   * for a look-up that asks more in the same statement (a first look, unlocked, as `find` with
   * `lock: false`).
   */
  static endedExpression(placeholder: string): string {
    return `EXISTS (SELECT 1 FROM ended_runs WHERE run_id = ${placeholder})`;
  }

  /**
   * The run's end if it has ended. Holds the run's shared lock until the caller's transaction
   * ends: call it in the transaction in which the step acts, right before it acts. With
   * `lock: false` it only looks (a first look before slow work, which must look again, locked,
   * before it acts on its result).
   */
  async find(
    manager: EntityManager,
    runId: string,
    { lock = true }: { lock?: boolean } = {},
  ): Promise<EndedRun | undefined> {
    if (lock)
      await manager.query('SELECT pg_advisory_xact_lock_shared(hashtextextended($1, 0))', [
        lockOf(runId),
      ]);
    const rows: EndedRun[] = await manager.query(
      'SELECT status, reason FROM ended_runs WHERE run_id = $1',
      [runId],
    );
    return rows[0];
  }
}

/** "run ended (cancelled: by ops: duplicate ticket)": what a skipped step says. */
export function endedBecause(ended: EndedRun): string {
  return `run ended (${ended.reason ? `${ended.status}: ${ended.reason}` : ended.status})`;
}

/**
 * The ended_runs table's DDL, written once: the kit's migration below and the older migrations
 * of the decision and escalation services (which created the same table first) all call it.
 */
export async function createEndedRunsTable(runner: QueryRunner): Promise<void> {
  await runner.query(`
    CREATE TABLE ended_runs (
      run_id    uuid        PRIMARY KEY,
      status    text        NOT NULL,
      reason    text,
      ended_at  timestamptz NOT NULL
    )`);
}

export async function dropEndedRunsTable(runner: QueryRunner): Promise<void> {
  await runner.query(`DROP TABLE ended_runs`);
}

/**
 * The ended_runs table, for services that did not keep one before (context, validation,
 * action; the decision and escalation services created it in their own earlier migrations).
 */
export class CreateEndedRuns1796430000000 implements MigrationInterface {
  name = 'CreateEndedRuns1796430000000';

  up(runner: QueryRunner): Promise<void> {
    return createEndedRunsTable(runner);
  }

  down(runner: QueryRunner): Promise<void> {
    return dropEndedRunsTable(runner);
  }
}
