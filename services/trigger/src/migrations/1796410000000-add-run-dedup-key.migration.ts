import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `dedup_key`: the business key of the event that started the run (`trigger.dedup.key` of its
 * workflow, evaluated on the event), so a second event about the same business entity under a
 * new idempotency key joins the run or is refused within the window. Null when the workflow
 * declares none (and for older runs).
 */
export class AddRunDedupKey1796410000000 implements MigrationInterface {
  name = 'AddRunDedupKey1796410000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE runs ADD COLUMN dedup_key text`);
    await runner.query(
      `CREATE INDEX runs_dedup_idx ON runs (tenant_id, workflow_id, dedup_key, created_at DESC)
         WHERE dedup_key IS NOT NULL`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP INDEX runs_dedup_idx`);
    await runner.query(`ALTER TABLE runs DROP COLUMN dedup_key`);
  }
}
