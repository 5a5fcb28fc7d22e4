import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Review tasks: one per escalation envelope (unique on it), with what the reviewer needs
 * (the run state, the proposal, why it escalated), the envelope to resume the run from,
 * its SLA, and the reviewer's decision once there is one.
 */
export class CreateTasks1764158400000 implements MigrationInterface {
  name = 'CreateTasks1764158400000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE tasks (
        id                 uuid        PRIMARY KEY,
        source_envelope_id uuid        NOT NULL UNIQUE,
        run_id             uuid        NOT NULL,
        workflow_id        text        NOT NULL,
        workflow_version   integer     NOT NULL,
        tenant_id          text        NOT NULL,
        queue              text        NOT NULL,
        status             text        NOT NULL CHECK (status IN ('open', 'approved', 'rejected')),
        reason             text        NOT NULL,
        proposal           jsonb,
        state              jsonb       NOT NULL,
        envelope           jsonb       NOT NULL,
        created_at         timestamptz NOT NULL,
        sla_due_at         timestamptz NOT NULL,
        escalated_at       timestamptz,
        outcome            text        CHECK (outcome IN ('approved', 'edited', 'rejected')),
        reviewer_name      text,
        reviewer_role      text,
        decided_at         timestamptz,
        review             jsonb
      )`);
    await runner.query(`CREATE INDEX tasks_status_id_idx ON tasks (status, id DESC)`);
    await runner.query(`CREATE INDEX tasks_queue_id_idx ON tasks (queue, id DESC)`);
    await runner.query(`CREATE INDEX tasks_run_idx ON tasks (run_id)`);
    await runner.query(
      `CREATE INDEX tasks_sla_idx ON tasks (sla_due_at) WHERE status = 'open' AND escalated_at IS NULL`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE tasks`);
  }
}
