import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The run ledger: one row per run (keyed by tenant and idempotency key too) and its steps. */
export class CreateRuns1764072000000 implements MigrationInterface {
  name = 'CreateRuns1764072000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE runs (
        id               uuid        PRIMARY KEY,
        tenant_id        text        NOT NULL,
        idempotency_key  text        NOT NULL,
        workflow_id      text        NOT NULL,
        workflow_version integer     NOT NULL,
        event_type       text        NOT NULL,
        source           text,
        status           text        NOT NULL,
        reason           text,
        trigger          jsonb       NOT NULL,
        created_at       timestamptz NOT NULL DEFAULT now(),
        updated_at       timestamptz NOT NULL DEFAULT now(),
        ended_at         timestamptz,
        UNIQUE (tenant_id, idempotency_key)
      )`);
    await runner.query(
      `CREATE INDEX runs_workflow_created_idx ON runs (workflow_id, created_at DESC)`,
    );
    await runner.query(`CREATE INDEX runs_status_created_idx ON runs (status, created_at DESC)`);
    await runner.query(`
      CREATE TABLE run_steps (
        envelope_id  uuid        PRIMARY KEY,
        run_id       uuid        NOT NULL REFERENCES runs (id),
        seq          integer     NOT NULL,
        name         text        NOT NULL,
        kind         text        NOT NULL,
        attempt      integer     NOT NULL,
        outcome      text        NOT NULL,
        input        jsonb,
        output       jsonb,
        started_at   timestamptz NOT NULL,
        finished_at  timestamptz NOT NULL
      )`);
    await runner.query(`CREATE INDEX run_steps_run_idx ON run_steps (run_id, seq, finished_at)`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE run_steps`);
    await runner.query(`DROP TABLE runs`);
  }
}
