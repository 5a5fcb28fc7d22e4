import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The values the workflow's `escalation.show` puts first for the reviewer
 * (`[{ path, value, missing? }]`), computed when the task is created. Tasks created before
 * this column have none: `[]`, as a workflow without `show` gives.
 */
export class AddTaskHighlights1796083200000 implements MigrationInterface {
  name = 'AddTaskHighlights1796083200000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(
      `ALTER TABLE tasks ADD COLUMN highlights jsonb NOT NULL DEFAULT '[]'::jsonb`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE tasks DROP COLUMN highlights`);
  }
}
