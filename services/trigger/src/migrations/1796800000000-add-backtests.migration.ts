import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Backtests (docs/changing-workflows.md): a backtest replays the recorded triggers of one
 * workflow version's runs against another version, in shadow. `backtests` is the request,
 * `backtest_runs` one row per replayed run (the original, and the backtest run once started),
 * and `runs.backtest_id` marks a backtest run in the ledger, so the outcome stats leave it out.
 */
export class AddBacktests1796800000000 implements MigrationInterface {
  name = 'AddBacktests1796800000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE backtests (
        id               uuid        PRIMARY KEY,
        workflow_id      text        NOT NULL,
        version          integer     NOT NULL,
        against_version  integer     NOT NULL,
        since            timestamptz NOT NULL,
        until            timestamptz NOT NULL,
        requested_by     text        NOT NULL,
        created_at       timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(`
      CREATE TABLE backtest_runs (
        backtest_id    uuid        NOT NULL REFERENCES backtests (id),
        source_run_id  uuid        NOT NULL REFERENCES runs (id),
        position       integer     NOT NULL,
        run_id         uuid        REFERENCES runs (id),
        not_started    text,
        started_at     timestamptz,
        PRIMARY KEY (backtest_id, source_run_id)
      )`);
    // The runs still to start, in order, found without a scan of the finished ones.
    await runner.query(
      `CREATE INDEX backtest_runs_pending_idx ON backtest_runs (backtest_id, position)
        WHERE run_id IS NULL AND not_started IS NULL`,
    );
    await runner.query(`ALTER TABLE runs ADD COLUMN backtest_id uuid`);
    await runner.query(
      `CREATE INDEX runs_backtest_idx ON runs (backtest_id, status) WHERE backtest_id IS NOT NULL`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP INDEX runs_backtest_idx`);
    await runner.query(`ALTER TABLE runs DROP COLUMN backtest_id`);
    await runner.query(`DROP TABLE backtest_runs`);
    await runner.query(`DROP TABLE backtests`);
  }
}
