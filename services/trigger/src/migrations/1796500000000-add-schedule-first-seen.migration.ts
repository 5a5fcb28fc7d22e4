import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What keeps schedules from flooding. `schedule_versions`: when the scheduler first saw each
 * workflow version with its schedule; no tick before that fires, so a new every-minute schedule
 * does not catch up on the hour before it existed. Versions that already fired count from
 * their first recorded tick. `schedule_ticks.skipped` / `skipped_from`: a row standing for due
 * ticks that were not fired (beyond `BATON_SCHEDULE_MAX_CATCH_UP` or the catch-up window) —
 * `skipped` of them, from `skipped_from` to its `tick` — so an operator sees what an outage
 * cost and the scheduler does not count them again.
 */
export class AddScheduleFirstSeen1796500000000 implements MigrationInterface {
  name = 'AddScheduleFirstSeen1796500000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE schedule_versions (
        workflow_id      text        NOT NULL,
        workflow_version integer     NOT NULL,
        schedule         text,
        first_seen       timestamptz NOT NULL,
        PRIMARY KEY (workflow_id, workflow_version)
      )`);
    await runner.query(`
      INSERT INTO schedule_versions (workflow_id, workflow_version, first_seen)
      SELECT workflow_id, workflow_version, min(tick) FROM schedule_ticks
      GROUP BY workflow_id, workflow_version`);
    await runner.query(`ALTER TABLE schedule_ticks ADD COLUMN skipped integer`);
    await runner.query(`ALTER TABLE schedule_ticks ADD COLUMN skipped_from timestamptz`);
  }

  async down(runner: QueryRunner): Promise<void> {
    // Skip rows stay (the older scheduler reads the latest tick as where to go on from), saying
    // in `refused` what they stand for.
    await runner.query(
      `UPDATE schedule_ticks
          SET refused = format('skipped: %s ticks from %s', skipped, skipped_from)
        WHERE skipped IS NOT NULL`,
    );
    await runner.query(`ALTER TABLE schedule_ticks DROP COLUMN skipped_from`);
    await runner.query(`ALTER TABLE schedule_ticks DROP COLUMN skipped`);
    await runner.query(`DROP TABLE schedule_versions`);
  }
}
