import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createEndedRunsTable, dropEndedRunsTable } from '@baton/service-kit';

/**
 * Runs that have ended (`run.ended`: cancelled, completed, failed, rejected). The first
 * terminal event of a run wins; a decision envelope of an ended run is not decided, only
 * reported. The decision service's name for the kit's table (it created it first).
 */
export class CreateEndedRuns1795600000000 implements MigrationInterface {
  name = 'CreateEndedRuns1795600000000';

  up(runner: QueryRunner): Promise<void> {
    return createEndedRunsTable(runner);
  }

  down(runner: QueryRunner): Promise<void> {
    return dropEndedRunsTable(runner);
  }
}
