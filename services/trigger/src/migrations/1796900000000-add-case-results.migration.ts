import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Case results (docs/changing-workflows.md#the-publish-gate): what `baton cases` recorded after
 * running a workflow version's case suite, one row per suite run. A publish gate that requires
 * `cases` reads the most recent one of the candidate version.
 */
export class AddCaseResults1796900000000 implements MigrationInterface {
  name = 'AddCaseResults1796900000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE case_results (
        id           uuid        PRIMARY KEY,
        workflow_id  text        NOT NULL,
        version      integer     NOT NULL,
        passed       integer     NOT NULL,
        failed       integer     NOT NULL,
        cases        jsonb       NOT NULL,
        recorded_by  text        NOT NULL,
        recorded_at  timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(
      `CREATE INDEX case_results_version_idx ON case_results (workflow_id, version, recorded_at)`,
    );
    // The gate reads a version's backtests against one version, newest first.
    await runner.query(
      `CREATE INDEX backtests_version_idx ON backtests (workflow_id, version, against_version, created_at)`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP INDEX backtests_version_idx`);
    await runner.query(`DROP TABLE case_results`);
  }
}
