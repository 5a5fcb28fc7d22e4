import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the run deadline sweeper needs. `waiting_since` and `waited_ms` keep the time a run
 * spent waiting for a reviewer, which does not count against its deadline (the escalation
 * service gives a resumed run back the time it had left). The partial index serves the
 * sweeper's query: the oldest `running` runs.
 */
export class AddRunDeadlineSweep1796090000000 implements MigrationInterface {
  name = 'AddRunDeadlineSweep1796090000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE runs ADD COLUMN waiting_since timestamptz`);
    await runner.query(`ALTER TABLE runs ADD COLUMN waited_ms bigint NOT NULL DEFAULT 0`);
    await runner.query(
      `CREATE INDEX runs_running_created_idx ON runs (created_at) WHERE status = 'running'`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP INDEX runs_running_created_idx`);
    await runner.query(`ALTER TABLE runs DROP COLUMN waited_ms`);
    await runner.query(`ALTER TABLE runs DROP COLUMN waiting_since`);
  }
}
