import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The outcome ledger's facts on each run (docs/outcomes.md): why it first escalated to a
 * person (`escalation_reason`, the first `run.waiting` reason), and the last review's verdict
 * (`review_outcome`: approved, edited, rejected) with the edit kept as what was proposed and
 * what the reviewer sent (`review_proposed`, `review_edited`). Null for runs from before, and
 * for runs no person saw. The index serves `GET /v1/stats` (one workflow, a time window).
 */
export class AddRunOutcomes1796600000000 implements MigrationInterface {
  name = 'AddRunOutcomes1796600000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE runs
      ADD COLUMN escalation_reason text,
      ADD COLUMN review_outcome text,
      ADD COLUMN review_proposed jsonb,
      ADD COLUMN review_edited jsonb`);
    await runner.query(
      `CREATE INDEX runs_stats_idx ON runs (workflow_id, workflow_version, created_at)`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP INDEX runs_stats_idx`);
    await runner.query(`ALTER TABLE runs
      DROP COLUMN escalation_reason,
      DROP COLUMN review_outcome,
      DROP COLUMN review_proposed,
      DROP COLUMN review_edited`);
  }
}
