import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every tool call the action service made (or, in shadow mode, would have made), by its
 * idempotency key `<runId>:<seq>:<tool>`: written in the handler's transaction, so a key
 * that is already here is answered from this row and the tool is not called again.
 */
export class CreateToolCalls1764072000300 implements MigrationInterface {
  name = 'CreateToolCalls1764072000300';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE tool_calls (
        idempotency_key text        PRIMARY KEY,
        run_id          uuid        NOT NULL,
        tool            text        NOT NULL,
        args            jsonb       NOT NULL,
        status          text        NOT NULL CHECK (status IN ('succeeded', 'failed', 'simulated')),
        result          jsonb       NOT NULL,
        simulated       boolean     NOT NULL DEFAULT false,
        created_at      timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(`CREATE INDEX tool_calls_run_idx ON tool_calls (run_id, created_at)`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE tool_calls`);
  }
}
