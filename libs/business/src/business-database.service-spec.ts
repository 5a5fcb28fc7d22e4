import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { freshSchema, testDatabaseUrl, type TestSchema } from '@baton/testing';
import { BusinessDatabase } from './business-database.js';

const logger = { warn: () => undefined } as never;

/**
 * The business database on the real Postgres: one round trip per statement, with read-only
 * mode and the timeout still enforced by Postgres, and nothing a statement does to its session
 * reaching the next statement.
 */
describe('BusinessDatabase', () => {
  let schema: TestSchema;
  let admin: pg.Client;
  let database: BusinessDatabase;

  beforeAll(async () => {
    schema = freshSchema('business-db');
    admin = new pg.Client({ connectionString: testDatabaseUrl() });
    await admin.connect();
    await admin.query(`CREATE SCHEMA "${schema.schema}"`);
    await admin.query(`CREATE TABLE "${schema.schema}".notes (id int PRIMARY KEY, body text)`);
    // One connection: every statement below shares the session the one before it left.
    database = BusinessDatabase.open({
      url: testDatabaseUrl(),
      poolSize: 1,
      logger,
      applicationName: 'business-db-spec',
    });
  });

  afterAll(async () => {
    await database?.close();
    await admin?.end();
    await schema?.drop();
  });

  const table = () => `"${schema.schema}".notes`;
  const rowCount = () =>
    admin
      .query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table()}`)
      .then((r) => r.rows[0]!.n);
  /** A read that tries to delete is refused by Postgres, and every row is still there. */
  const expectReadDeleteRefused = async () => {
    await expect(
      database.run(
        'read',
        `WITH d AS (DELETE FROM ${table()} RETURNING id) SELECT * FROM d`,
        [],
        5_000,
      ),
    ).rejects.toThrow(/read-only transaction/);
    expect(await rowCount()).toBe(2);
  };

  it('reads and writes, numbers as numbers, in one statement each', async () => {
    const written = await database.run(
      'write',
      `INSERT INTO ${table()} (id, body) VALUES ($1, $2) RETURNING id, body`,
      [1, 'first'],
      5_000,
    );
    expect(written).toEqual([{ id: 1, body: 'first' }]);
    const read = await database.run(
      'read',
      `SELECT id, body, 12.5::numeric AS amount FROM ${table()} WHERE id = $1`,
      [1],
      5_000,
    );
    expect(read).toEqual([{ id: 1, body: 'first', amount: 12.5 }]);
  });

  it('refuses a write on read access, after a write left the session writable', async () => {
    await database.run('write', `INSERT INTO ${table()} VALUES (2, 'two')`, [], 5_000);
    await expectReadDeleteRefused();
  });

  it('runs exactly one statement, even without parameters', async () => {
    await expect(
      database.run('write', `SELECT 1; DELETE FROM ${table()}`, [], 5_000),
    ).rejects.toThrow(/multiple commands/);
    expect(await rowCount()).toBe(2);
  });

  it("cancels a statement past the call's timeout, and the next call gets its own", async () => {
    await expect(database.run('read', 'SELECT pg_sleep(5)', [], 100)).rejects.toThrow(
      /statement timeout/,
    );
    // The same connection, a longer timeout: a 200 ms sleep is not cancelled.
    await expect(
      database.run('read', 'SELECT pg_sleep(0.2) AS slept', [], 30_000),
    ).resolves.toEqual([{ slept: '' }]);
  });

  it('discards a session that a statement changed: read-only holds for the next read', async () => {
    // A read that turns read-only off for its session (it is itself still read-only) ...
    await database.run(
      'read',
      `SELECT set_config('default_transaction_read_only', 'off', false) AS v`,
      [],
      5_000,
    );
    // ... leaves no writable session behind: the next read on the pool's one connection is refused.
    await expectReadDeleteRefused();
  });

  it('takes one round trip per statement once the session is set', async () => {
    const sent = vi.spyOn(pg.Client.prototype, 'query');
    try {
      await database.run('read', 'SELECT 1 AS one', [], 4_321);
      // A new timeout: the session is set (one more round trip), then the statement.
      expect(sent).toHaveBeenCalledTimes(2);
      sent.mockClear();
      for (let i = 0; i < 5; i++) await database.run('read', 'SELECT 1 AS one', [], 4_321);
      expect(sent).toHaveBeenCalledTimes(5);
      sent.mockClear();
      // A write after reads: one SET for the change of mode, then the statement.
      await database.run('write', `UPDATE ${table()} SET body = 'again' WHERE id = 1`, [], 4_321);
      expect(sent).toHaveBeenCalledTimes(2);
    } finally {
      sent.mockRestore();
    }
  });
});
