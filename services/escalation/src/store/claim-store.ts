import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { TaskRow } from '../domain/task.js';

/**
 * A live claim held by someone other than `$by` (a claim past `$now` counts as none):
 * what a decision, a claim or a release by `$by` must not meet, unless it overrides.
 */
export const CLAIMED_BY_OTHER = (by: string, now: string) =>
  `COALESCE(claimed_by <> ${by} AND claimed_until > ${now}, false)`;

export interface ClaimRequest {
  by: string;
  role: string;
  at: Date;
  until: Date;
  /** Take the task over from another reviewer's live claim (an admin). */
  override: boolean;
}

export interface ReleaseRequest {
  by: string;
  at: Date;
  /** End another reviewer's live claim (an admin). */
  override: boolean;
}

/**
 * Claims on `tasks` (unqualified: the service's schema is the search path): each checked and
 * taken in one statement, so of two reviewers claiming at once one gets the task.
 */
@Injectable()
export class ClaimStore {
  /** Claims an open task, or renews the caller's claim; undefined when it cannot (not open, claimed). */
  async claim(
    manager: EntityManager,
    id: string,
    claim: ClaimRequest,
  ): Promise<TaskRow | undefined> {
    const rows: TaskRow[] = await manager.query(
      `WITH claimed AS (
         UPDATE tasks
            SET claimed_by = $2, claimed_role = $3,
                claimed_at = CASE WHEN claimed_by = $2 AND claimed_until > $4 THEN claimed_at ELSE $4 END,
                claimed_until = $5
          WHERE id = $1 AND status = 'open' AND ($6 OR NOT ${CLAIMED_BY_OTHER('$2', '$4')})
      RETURNING *)
       SELECT * FROM claimed`,
      [id, claim.by, claim.role, claim.at, claim.until, claim.override],
    );
    return rows[0];
  }

  /** Ends the claim on an open task; undefined when it cannot (not open, claimed by another). */
  async release(
    manager: EntityManager,
    id: string,
    release: ReleaseRequest,
  ): Promise<TaskRow | undefined> {
    const rows: TaskRow[] = await manager.query(
      `WITH released AS (
         UPDATE tasks
            SET claimed_by = NULL, claimed_role = NULL, claimed_at = NULL, claimed_until = NULL
          WHERE id = $1 AND status = 'open' AND ($4 OR NOT ${CLAIMED_BY_OTHER('$2', '$3')})
      RETURNING *)
       SELECT * FROM released`,
      [id, release.by, release.at, release.override],
    );
    return rows[0];
  }
}
