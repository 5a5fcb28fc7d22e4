import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The effect ledger: one row per executed write and effect limit it counts toward (key and
 * amount), in the schema of the service that keeps it — the action service's is the ledger the
 * limits are enforced on; the escalation service keeps a copy from the effects topic to check a
 * reviewer's edit when it is made.
 */
export class CreateEffectLedger1796400000000 implements MigrationInterface {
  name = 'CreateEffectLedger1796400000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE effect_ledger (
        call_key     text        NOT NULL,
        limit_name   text        NOT NULL,
        tenant_id    text        NOT NULL,
        workflow_id  text        NOT NULL,
        tool         text        NOT NULL,
        limit_key    text        NOT NULL,
        amount       numeric,
        simulated    boolean     NOT NULL,
        run_id       uuid        NOT NULL,
        at           timestamptz NOT NULL,
        PRIMARY KEY (call_key, limit_name)
      )`);
    await runner.query(
      `CREATE INDEX effect_ledger_key_idx
         ON effect_ledger (tenant_id, workflow_id, tool, limit_name, limit_key, at)`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE effect_ledger`);
  }
}
