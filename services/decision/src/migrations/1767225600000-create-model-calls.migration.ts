import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every model call a decision made, failed ones included: what it cost (tokens, dollars),
 * how long it took and how it ended. Written in the decision's transaction, so a decision
 * handled once records its calls once.
 */
export class CreateModelCalls1767225600000 implements MigrationInterface {
  name = 'CreateModelCalls1767225600000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE model_calls (
        id                 bigserial     PRIMARY KEY,
        run_id             uuid          NOT NULL,
        envelope_id        uuid          NOT NULL,
        step_seq           integer       NOT NULL,
        attempt            integer       NOT NULL,
        model              text          NOT NULL,
        prompt_tokens      integer       NOT NULL,
        completion_tokens  integer       NOT NULL,
        latency_ms         integer       NOT NULL,
        cost_usd           numeric(14,8) NOT NULL,
        outcome            text          NOT NULL,
        problem            text,
        created_at         timestamptz   NOT NULL DEFAULT now()
      )`);
    await runner.query(`CREATE INDEX model_calls_run_id_idx ON model_calls (run_id)`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE model_calls`);
  }
}
