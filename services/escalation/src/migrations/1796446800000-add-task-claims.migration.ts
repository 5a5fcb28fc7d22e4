import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Claims (`POST /v1/tasks/:id/claim`): who holds an open task and until when. A claim past
 * `claimed_until` counts as none, so nothing has to expire them.
 */
export class AddTaskClaims1796446800000 implements MigrationInterface {
  name = 'AddTaskClaims1796446800000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      ALTER TABLE tasks
        ADD COLUMN claimed_by    text,
        ADD COLUMN claimed_role  text,
        ADD COLUMN claimed_at    timestamptz,
        ADD COLUMN claimed_until timestamptz,
        ADD CONSTRAINT tasks_claim_check
          CHECK ((claimed_by IS NULL) = (claimed_until IS NULL))`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`
      ALTER TABLE tasks
        DROP CONSTRAINT tasks_claim_check,
        DROP COLUMN claimed_by,
        DROP COLUMN claimed_role,
        DROP COLUMN claimed_at,
        DROP COLUMN claimed_until`);
  }
}
