import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createEndedRunsTable, dropEndedRunsTable } from '@baton/service-kit';

/**
 * Tasks of runs that ended while they waited (a cancellation, or an end from another step):
 * status `closed`, with why and when. `ended_runs` remembers ended runs (the first terminal
 * event wins), so an escalation that arrives after its run ended makes a closed task.
 */
export class CloseTasksOfEndedRuns1795600000000 implements MigrationInterface {
  name = 'CloseTasksOfEndedRuns1795600000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE tasks DROP CONSTRAINT tasks_status_check`);
    await runner.query(`
      ALTER TABLE tasks
        ADD CONSTRAINT tasks_status_check CHECK (status IN ('open', 'approved', 'rejected', 'closed')),
        ADD COLUMN closed_reason text,
        ADD COLUMN closed_at     timestamptz`);
    await createEndedRunsTable(runner);
  }

  // Fails while closed tasks exist: the previous schema has no way to say what they are.
  async down(runner: QueryRunner): Promise<void> {
    await dropEndedRunsTable(runner);
    await runner.query(`ALTER TABLE tasks DROP CONSTRAINT tasks_status_check`);
    await runner.query(`
      ALTER TABLE tasks
        ADD CONSTRAINT tasks_status_check CHECK (status IN ('open', 'approved', 'rejected')),
        DROP COLUMN closed_reason,
        DROP COLUMN closed_at`);
  }
}
