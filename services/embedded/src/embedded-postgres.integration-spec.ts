import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { openDatabase } from '@baton/persistence';
import { MESSAGING_MIGRATIONS } from '@baton/messaging';
import { BusinessDatabase } from '@baton/business';
import {
  parseOptions,
  sessionChangeOf,
  startEmbeddedPostgres,
  type EmbeddedPostgres,
} from './embedded-postgres.js';

const logger = { warn: () => undefined } as never;

// What Baton's services do to Postgres, against the embedded one: several pools of several
// connections, each with its own search_path, running transactions at the same time.
describe('embedded Postgres (PGlite behind the session multiplexer)', () => {
  let embedded: EmbeddedPostgres;
  let url: string;
  const pools: pg.Pool[] = [];
  const pool = (options: pg.PoolConfig = {}) => {
    const created = new pg.Pool({ connectionString: url, max: 8, ...options });
    pools.push(created);
    return created;
  };

  beforeAll(async () => {
    embedded = await startEmbeddedPostgres({ databases: ['baton', 'business'] });
    url = embedded.urls['baton']!;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`
      CREATE SCHEMA a; CREATE TABLE a.t (v text); INSERT INTO a.t VALUES ('from a');
      CREATE SCHEMA b; CREATE TABLE b.t (v text); INSERT INTO b.t VALUES ('from b');
      CREATE TABLE public.counter (id int PRIMARY KEY, n int NOT NULL); INSERT INTO public.counter VALUES (1, 0);
      CREATE TABLE public.rows (id int PRIMARY KEY, claimed_by text);
      INSERT INTO public.rows SELECT g, NULL FROM generate_series(1, 60) g;`);
    await admin.end();
  }, 120_000);

  afterAll(async () => {
    await Promise.all(pools.map((p) => p.end()));
    await embedded?.stop();
  });

  it('gives each connection the search_path of its startup options, however queries interleave', async () => {
    const a = pool({ options: '-c search_path=a' });
    const b = pool({ options: '-c search_path=b' });
    const answers = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        (i % 2 ? a : b).query<{ v: string }>('SELECT v FROM t').then((r) => r.rows[0]!.v),
      ),
    );
    expect(answers).toEqual(Array.from({ length: 100 }, (_, i) => (i % 2 ? 'from a' : 'from b')));
  });

  it('keeps each parameterised query whole (Parse/Bind/Execute/Sync of connections never mix)', async () => {
    const p = pool({ max: 12 });
    const results = await Promise.all(
      Array.from({ length: 300 }, (_, i) =>
        p.query<{ n: number; s: string }>('SELECT $1::int AS n, $2::text AS s', [i, `s${i}`]),
      ),
    );
    expect(results.map((r) => r.rows[0])).toEqual(
      Array.from({ length: 300 }, (_, i) => ({ n: i, s: `s${i}` })),
    );
  });

  it('serialises transactions: concurrent read-modify-write loses no update, a rollback undoes only its own', async () => {
    const p = pool({ max: 8 });
    const increment = async (rollback: boolean) => {
      const client = await p.connect();
      try {
        await client.query('BEGIN');
        const { rows } = await client.query<{ n: number }>(
          'SELECT n FROM counter WHERE id = 1 FOR UPDATE',
        );
        await new Promise((resolve) => setImmediate(resolve)); // let the others try to run
        await client.query('UPDATE counter SET n = $1 WHERE id = 1', [rows[0]!.n + 1]);
        await client.query(rollback ? 'ROLLBACK' : 'COMMIT');
      } finally {
        client.release();
      }
    };
    await Promise.all(Array.from({ length: 40 }, (_, i) => increment(i % 4 === 0)));
    const { rows } = await p.query<{ n: number }>('SELECT n FROM counter WHERE id = 1');
    expect(rows[0]!.n).toBe(30);
  });

  it('hands each row to one claimer with FOR UPDATE SKIP LOCKED, as the outbox does', async () => {
    const p = pool({ max: 6 });
    const claim = async (who: string) => {
      const claimed: number[] = [];
      for (;;) {
        const client = await p.connect();
        try {
          await client.query('BEGIN');
          const { rows } = await client.query<{ id: number }>(
            'SELECT id FROM rows WHERE claimed_by IS NULL ORDER BY id LIMIT 5 FOR UPDATE SKIP LOCKED',
          );
          if (rows.length === 0) {
            await client.query('COMMIT');
            return claimed;
          }
          const ids = rows.map((r) => r.id);
          await client.query('UPDATE rows SET claimed_by = $1 WHERE id = ANY($2)', [who, ids]);
          await client.query('COMMIT');
          claimed.push(...ids);
        } finally {
          client.release();
        }
      }
    };
    const claims = await Promise.all(['w1', 'w2', 'w3', 'w4'].map(claim));
    const all = claims.flat().sort((x, y) => x - y);
    expect(all).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
  });

  it("runs the persistence library's migrations (advisory lock, own schema) and full-text search", async () => {
    const dataSource = await openDatabase({
      url,
      schema: 'svc_one',
      migrations: MESSAGING_MIGRATIONS,
      poolSize: 4,
    });
    try {
      const tables = await dataSource.query<Array<{ table_name: string }>>(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = 'svc_one' ORDER BY 1`,
      );
      expect(tables.map((t) => t.table_name)).toEqual(
        expect.arrayContaining(['inbox', 'migrations', 'outbox']),
      );
      const [hit] = await dataSource.query<Array<{ rank: number }>>(
        `SELECT ts_rank(to_tsvector('english', $1), to_tsquery('english', $2)) AS rank`,
        ['Customers charged twice are refunded', 'charge | refund'],
      );
      expect(hit!.rank).toBeGreaterThan(0);
    } finally {
      await dataSource.destroy();
    }
  });

  it('lets a transaction on one database wait for a statement on the other (no deadlock)', async () => {
    const baton = pool({ max: 2 });
    const business = new pg.Pool({ connectionString: embedded.urls['business']!, max: 2 });
    pools.push(business);
    const client = await baton.connect();
    try {
      await client.query('BEGIN');
      await client.query('UPDATE counter SET n = n WHERE id = 1');
      const { rows } = await business.query<{ one: number }>('SELECT 1 AS one');
      await client.query('COMMIT');
      expect(rows[0]!.one).toBe(1);
    } finally {
      client.release();
    }
  });

  it('rolls back what a connection left open when it goes, and frees the session for the others', async () => {
    const before = (await pool().query<{ n: number }>('SELECT n FROM counter WHERE id = 1'))
      .rows[0]!.n;
    const lost = new pg.Client({ connectionString: url });
    await lost.connect();
    lost.on('error', () => undefined);
    await lost.query('BEGIN');
    await lost.query('UPDATE counter SET n = -1 WHERE id = 1');
    const waiting = pool({ max: 1 }).query<{ n: number }>('SELECT n FROM counter WHERE id = 1');
    (
      lost as unknown as { connection: { stream: { destroy(): void } } }
    ).connection.stream.destroy();
    const { rows } = await waiting;
    expect(rows[0]!.n).toBe(before);
  });

  it("keeps each connection's own SET settings its own: the business database's read-only reads and writes share one session", async () => {
    const business = embedded.urls['business']!;
    const admin = new pg.Client({ connectionString: business });
    await admin.connect();
    await admin.query('CREATE TABLE IF NOT EXISTS notes (id int PRIMARY KEY)');
    await admin.end();
    // Two services' business pools on one PGlite session: one reads, the other writes.
    const reader = BusinessDatabase.open({
      url: business,
      poolSize: 3,
      logger,
      applicationName: 'reader',
    });
    const writer = BusinessDatabase.open({
      url: business,
      poolSize: 3,
      logger,
      applicationName: 'writer',
    });
    try {
      const work = Array.from({ length: 60 }, (_, i) =>
        i % 2
          ? writer.run('write', 'INSERT INTO notes VALUES ($1) RETURNING id', [i], 5_000)
          : reader
              .run(
                'read',
                'WITH d AS (DELETE FROM notes RETURNING id) SELECT count(*) FROM d',
                [],
                5_000,
              )
              .then(
                () => 'deleted',
                (error: Error) => error.message,
              ),
      );
      const outcomes = await Promise.all(work);
      // Every write went in; every read was refused its delete, whoever held the session before.
      const reads = outcomes.filter((_, i) => i % 2 === 0);
      expect(reads).toHaveLength(30);
      for (const read of reads) expect(read).toMatch(/in a read-only transaction/);
      const rows = await writer.run('read', 'SELECT count(*)::int AS n FROM notes', [], 5_000);
      expect(rows).toEqual([{ n: 30 }]);
      // A statement that changes its session by set_config leaves nothing to the next one.
      await reader.run(
        'read',
        "SELECT set_config('default_transaction_read_only', 'off', false)",
        [],
        5_000,
      );
      await expect(
        reader.run(
          'read',
          'WITH d AS (DELETE FROM notes RETURNING id) SELECT count(*) FROM d',
          [],
          5_000,
        ),
      ).rejects.toThrow(/read-only transaction/);
    } finally {
      await reader.close();
      await writer.close();
    }
  });
});

describe('sessionChangeOf', () => {
  const query = (text: string) => {
    const body = Buffer.from(`${text}\0`);
    const message = Buffer.alloc(5 + body.length);
    message[0] = 0x51;
    message.writeInt32BE(4 + body.length, 1);
    body.copy(message, 5);
    return message;
  };
  it('reads plain SETs, flags other session changes, ignores the rest', () => {
    expect(
      sessionChangeOf(
        query('SET default_transaction_read_only = on; SET statement_timeout = 5000'),
      ),
    ).toEqual({
      default_transaction_read_only: 'on',
      statement_timeout: '5000',
    });
    expect(sessionChangeOf(query("SET search_path TO 'a'"))).toEqual({ search_path: 'a' });
    expect(sessionChangeOf(query('RESET ALL'))).toBe('unknown');
    expect(sessionChangeOf(query("SELECT set_config('x.y', '1', false)"))).toBe('unknown');
    expect(sessionChangeOf(query('SET LOCAL statement_timeout = 5'))).toBe('unknown');
    expect(sessionChangeOf(query("UPDATE t SET v = 'x'"))).toBeUndefined();
    expect(sessionChangeOf(query('SELECT 1'))).toBeUndefined();
  });
});

describe('parseOptions', () => {
  it('reads -c and -- settings from a startup options string', () => {
    expect(
      parseOptions('-c search_path=svc_trigger --statement-timeout=5s -cwork_mem=4MB'),
    ).toEqual({ search_path: 'svc_trigger', statement_timeout: '5s', work_mem: '4MB' });
  });
});
