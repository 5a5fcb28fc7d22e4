import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The schedule ticks fired, one row per (workflow, tick): the trigger instance whose insert
 * creates the row starts the run, in the same transaction, so a tick fires once however many
 * instances see it. `run_id` is the run it started; `refused` why none was (the workflow no
 * longer accepts `schedule.tick` or requires data a tick does not carry).
 */
export class CreateScheduleTicks1795606280000 implements MigrationInterface {
  name = 'CreateScheduleTicks1795606280000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE schedule_ticks (
        workflow_id      text        NOT NULL,
        tick             timestamptz NOT NULL,
        workflow_version integer     NOT NULL,
        run_id           uuid,
        refused          text,
        fired_at         timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (workflow_id, tick)
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE schedule_ticks`);
  }
}
