import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `runs.trace_id`: the W3C trace id of the trace a run started in (the trigger request's or
 * the ingress record's), so the API, the CLI and the logs can name the run's trace in Jaeger.
 * Null for runs started before this column existed or with tracing off.
 */
export class AddRunTraceId1796700000000 implements MigrationInterface {
  name = 'AddRunTraceId1796700000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE runs ADD COLUMN trace_id text`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE runs DROP COLUMN trace_id`);
  }
}
