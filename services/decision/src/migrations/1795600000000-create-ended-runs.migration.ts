import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Runs that have ended (`run.ended` on the run-events topic: cancelled, completed, failed,
 * rejected). The first terminal event of a run wins; a decision envelope of an ended run is
 * not decided, only reported.
 */
export class CreateEndedRuns1795600000000 implements MigrationInterface {
  name = 'CreateEndedRuns1795600000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE ended_runs (
        run_id    uuid        PRIMARY KEY,
        status    text        NOT NULL,
        reason    text,
        ended_at  timestamptz NOT NULL
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE ended_runs`);
  }
}
