import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Escalation chains (`escalation.onBreach`, `escalation.fallback`): how many chain steps a
 * task has been through (`chain_step`) and its moves (`[{ step, from, to, at, why, slaDueAt }]`),
 * an SLA that may end (`sla_due_at` null after a `leave` fallback), and the webhooks the chain
 * sends, with their outcome (`task_notifications`, one per task and step). The sweep now finds
 * a breach by `escalated_at < sla_due_at` (a move sets a new SLA after it), hence the index.
 */
export class AddTaskEscalationChain1796443200000 implements MigrationInterface {
  name = 'AddTaskEscalationChain1796443200000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      ALTER TABLE tasks
        ADD COLUMN chain_step integer NOT NULL DEFAULT 0,
        ADD COLUMN moves      jsonb   NOT NULL DEFAULT '[]'::jsonb,
        ALTER COLUMN sla_due_at DROP NOT NULL`);
    await runner.query(`DROP INDEX tasks_sla_idx`);
    await runner.query(
      `CREATE INDEX tasks_open_sla_idx ON tasks (sla_due_at) WHERE status = 'open'`,
    );
    await runner.query(`
      CREATE TABLE task_notifications (
        id           uuid        PRIMARY KEY,
        task_id      uuid        NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
        step         integer     NOT NULL,
        url          text        NOT NULL,
        body         jsonb       NOT NULL,
        status       text        NOT NULL
                     CHECK (status IN ('pending', 'sending', 'delivered', 'failed', 'refused')),
        attempts     integer     NOT NULL DEFAULT 0,
        http_status  integer,
        error        text,
        created_at   timestamptz NOT NULL,
        lease_until  timestamptz,
        finished_at  timestamptz,
        UNIQUE (task_id, step)
      )`);
    await runner.query(
      `CREATE INDEX task_notifications_due_idx ON task_notifications (created_at)
        WHERE status IN ('pending', 'sending')`,
    );
  }

  // A task left with no SLA gets back the time its SLA was last acted on (or its creation).
  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE task_notifications`);
    await runner.query(`DROP INDEX tasks_open_sla_idx`);
    await runner.query(
      `UPDATE tasks SET sla_due_at = COALESCE(escalated_at, created_at) WHERE sla_due_at IS NULL`,
    );
    await runner.query(`
      ALTER TABLE tasks
        DROP COLUMN chain_step,
        DROP COLUMN moves,
        ALTER COLUMN sla_due_at SET NOT NULL`);
    await runner.query(
      `CREATE INDEX tasks_sla_idx ON tasks (sla_due_at) WHERE status = 'open' AND escalated_at IS NULL`,
    );
  }
}
