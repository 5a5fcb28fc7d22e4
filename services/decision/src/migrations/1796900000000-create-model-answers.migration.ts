import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The model's answer for a decision envelope, recorded in a short transaction right after the
 * call (with its `model_calls`), before the step's own transaction applies it: a retry or a
 * redelivery of the envelope finds it and does not ask again. The step's transaction deletes
 * it when it applies it; what is left is an answer still to be applied (a step that failed
 * after asking, to be retried or replayed from its dead-letter topic).
 */
export class CreateModelAnswers1796900000000 implements MigrationInterface {
  name = 'CreateModelAnswers1796900000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE model_answers (
        envelope_id  uuid        PRIMARY KEY,
        run_id       uuid        NOT NULL,
        step_seq     integer     NOT NULL,
        answer       jsonb       NOT NULL,
        created_at   timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE model_answers`);
  }
}
