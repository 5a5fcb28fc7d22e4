import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/** One case of a recorded suite run: its name and whether it passed. */
export interface CaseOutcome {
  name: string;
  passed: boolean;
}

/** A workflow version's case suite as `baton cases` ran it (`case_results`). */
export interface CaseResultRow {
  id: string;
  workflow_id: string;
  version: number;
  passed: number;
  failed: number;
  cases: CaseOutcome[];
  recorded_by: string;
  recorded_at: Date;
}

/** Recorded case-suite results per workflow version: what a publish gate on `cases` reads. */
@Injectable()
export class CaseResults {
  async insert(manager: EntityManager, row: CaseResultRow): Promise<void> {
    await manager.query(
      `INSERT INTO case_results (id, workflow_id, version, passed, failed, cases, recorded_by, recorded_at)
       VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8)`,
      [
        row.id,
        row.workflow_id,
        row.version,
        row.passed,
        row.failed,
        JSON.stringify(row.cases),
        row.recorded_by,
        row.recorded_at,
      ],
    );
  }

  /** The most recent result recorded for a version. */
  async latest(
    manager: EntityManager,
    workflowId: string,
    version: number,
  ): Promise<CaseResultRow | undefined> {
    const rows: CaseResultRow[] = await manager.query(
      `SELECT * FROM case_results WHERE workflow_id = $1 AND version = $2
        ORDER BY recorded_at DESC, id DESC LIMIT 1`,
      [workflowId, version],
    );
    return rows[0];
  }
}
