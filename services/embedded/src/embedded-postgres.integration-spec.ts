import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { inProcessConnection, openDatabase } from '@baton/persistence';
import { MESSAGING_MIGRATIONS } from '@baton/messaging';
import { BusinessDatabase } from '@baton/business';
import { expectEventually } from '@baton/testing';
import {
  parseOptions,
  sessionChangeOf,
  startEmbeddedPostgres,
  type EmbeddedPostgres,
} from './embedded-postgres.js';

const logger = { warn: () => undefined } as never;

// What Baton's services do to Postgres, against the embedded one: several pools of several
// connections, each with its own search_path, running transactions at the same time. Over both
// ways in: the in-memory stream the processes' own clients take (no socket), and the loopback
// socket a client outside the process (psql) takes when `listen` is asked for.
describe.each([
  { transport: 'in-memory stream', listen: false },
  { transport: 'loopback socket', listen: true },
])('embedded Postgres (PGlite behind the session multiplexer), $transport', ({ listen }) => {
  let embedded: EmbeddedPostgres;
  let url: string;
  /** A `pg` config for a database: its in-memory stream, or its socket. */
  const connection = (database: 'baton' | 'business') =>
    listen
      ? { connectionString: embedded.socketUrls[database]! }
      : {
          connectionString: embedded.urls[database]!,
          ...inProcessConnection(embedded.urls[database]!),
        };
  const pools: pg.Pool[] = [];
  const pool = (options: pg.PoolConfig = {}) => {
    const created = new pg.Pool({ ...connection('baton'), max: 8, ...options });
    pools.push(created);
    return created;
  };

  beforeAll(async () => {
    embedded = await startEmbeddedPostgres({
      databases: ['baton', 'business'],
      ...(listen ? { listen: {} } : {}),
    });
    url = embedded.urls['baton']!;
    const admin = new pg.Client(connection('baton'));
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
    const business = new pg.Pool({ ...connection('business'), max: 2 });
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
    const lost = new pg.Client(connection('baton'));
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
    const admin = new pg.Client(connection('business'));
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

// The way the process's own clients come in: an in-memory stream per connection, no socket.
describe('embedded Postgres without a socket (in-memory streams)', { timeout: 20_000 }, () => {
  let embedded: EmbeddedPostgres;
  const stalls: Array<{ holder: string; waiting: number }> = [];
  const clients: pg.Client[] = [];
  const client = async (options: pg.ClientConfig = {}) => {
    const created = new pg.Client({
      stream: () => embedded.connect('baton'),
      user: 'postgres',
      database: 'postgres',
      ...options,
    });
    created.on('error', () => undefined);
    clients.push(created);
    await created.connect();
    return created;
  };

  beforeAll(async () => {
    embedded = await startEmbeddedPostgres({
      databases: ['baton'],
      stallWarnMs: 300,
      onStall: ({ holder, waiting }) => stalls.push({ holder, waiting }),
    });
    const admin = await client();
    await admin.query(`CREATE TABLE items (id int PRIMARY KEY, owner text NOT NULL)`);
  }, 120_000);

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
    await embedded?.stop();
  });

  it('opens no socket: its URL never resolves, so only a client given the stream gets in', async () => {
    expect(embedded.socketUrls).toEqual({});
    const url = embedded.urls['baton']!;
    expect(new URL(url).hostname).toMatch(/\.pglite\.invalid$/);
    expect(inProcessConnection(url).stream).toBeTypeOf('function');
    const outsider = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
    await expect(outsider.connect()).rejects.toThrow(/ENOTFOUND|EAI_AGAIN|getaddrinfo/);
  });

  it('runs statements over the in-memory stream: simple, parameterised, many rows, and a clean close', async () => {
    const c = await client({ application_name: 'round-trip' });
    const { rows } = await c.query<{ n: number; s: string }>('SELECT $1::int AS n, $2::text AS s', [
      7,
      'seven',
    ]);
    expect(rows).toEqual([{ n: 7, s: 'seven' }]);
    const [, second] = (await c.query('SELECT 1 AS one; SELECT 2 AS two')) as unknown as Array<{
      rows: unknown[];
    }>;
    expect(second!.rows).toEqual([{ two: 2 }]);
    // An answer larger than one of PGlite's output chunks arrives whole.
    const big = await c.query<{ g: number; pad: string }>(
      `SELECT g, repeat('x', 200) AS pad FROM generate_series(1, 5000) g`,
    );
    expect(big.rows).toHaveLength(5000);
    expect(big.rows[4999]).toEqual({ g: 5000, pad: 'x'.repeat(200) });
    await c.end();
  });

  it('serves many connections at once, opening while others are mid-transaction, each transaction whole', async () => {
    const work = Array.from({ length: 24 }, async (_, i) => {
      const c = await client({ application_name: `worker ${i}` });
      await c.query('BEGIN');
      await c.query('INSERT INTO items VALUES ($1, $2)', [i, `worker ${i}`]);
      await new Promise((resolve) => setImmediate(resolve)); // let the others try to run
      const { rows } = await c.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM items WHERE owner = $1',
        [`worker ${i}`],
      );
      await c.query(i % 3 === 0 ? 'ROLLBACK' : 'COMMIT');
      await c.end();
      return rows[0]!.n;
    });
    expect(await Promise.all(work)).toEqual(Array.from({ length: 24 }, () => 1));
    const check = await client();
    const { rows } = await check.query<{ n: number }>('SELECT count(*)::int AS n FROM items');
    expect(rows[0]!.n).toBe(16);
    await check.query('DELETE FROM items');
  });

  it('frees the session when a connection is destroyed mid-transaction: rolled back, its queued work dropped', async () => {
    // Connected first: a connection's startup waits for the session like any statement.
    const [holder, queued, next] = await Promise.all([
      client({ application_name: 'destroyed holder' }),
      client(),
      client(),
    ]);
    await holder.query('BEGIN');
    await holder.query(`INSERT INTO items VALUES (100, 'holder')`);
    // Another connection's statement waits for the session (the stall warning counts it
    // waiting), then that connection goes too.
    const dropped = queued.query(`INSERT INTO items VALUES (101, 'queued')`).catch((e: Error) => e);
    await expectEventually(() =>
      expect(stalls).toContainEqual({ holder: 'destroyed holder', waiting: 1 }),
    );
    (
      queued as unknown as { connection: { stream: { destroy(): void } } }
    ).connection.stream.destroy();
    expect(await dropped).toBeInstanceOf(Error);
    const waiting = next.query<{ n: number }>('SELECT count(*)::int AS n FROM items');
    (
      holder as unknown as { connection: { stream: { destroy(): void } } }
    ).connection.stream.destroy();
    expect((await waiting).rows[0]!.n).toBe(0);
  });

  it('rolls back what a connection that ends (Terminate) mid-transaction left open', async () => {
    const leaving = await client();
    await leaving.query('BEGIN');
    await leaving.query(`INSERT INTO items VALUES (200, 'leaving')`);
    await leaving.end();
    const { rows } = await (await client()).query('SELECT id FROM items');
    expect(rows).toEqual([]);
  });

  it('answers SQL errors as Postgres does, and the session goes on for everyone', async () => {
    const c = await client();
    await expect(c.query('SELECT * FROM no_such_table')).rejects.toThrow(/does not exist/);
    await c.query('BEGIN');
    await expect(c.query('SELECT 1/0')).rejects.toThrow(/division by zero/);
    await expect(c.query('SELECT 1')).rejects.toThrow(/current transaction is aborted/);
    await c.query('ROLLBACK');
    const other = await client();
    expect((await other.query('SELECT 2 AS two')).rows).toEqual([{ two: 2 }]);
    expect((await c.query('SELECT $1::int AS three', [3])).rows).toEqual([{ three: 3 }]);
  });

  it('keeps startup settings per connection and refuses a connection whose settings the backend rejects', async () => {
    const slow = await client({ options: '-c statement_timeout=1234' });
    const plain = await client();
    const [a, b] = await Promise.all([
      slow.query<{ statement_timeout: string }>('SHOW statement_timeout'),
      plain.query<{ statement_timeout: string }>('SHOW statement_timeout'),
    ]);
    expect(a.rows[0]!.statement_timeout).toBe('1234ms');
    expect(b.rows[0]!.statement_timeout).toBe('0');
    const bad = new pg.Client({
      stream: () => embedded.connect('baton'),
      user: 'postgres',
      database: 'postgres',
      options: '-c statement_timeout=not-a-duration',
    });
    bad.on('error', () => undefined);
    clients.push(bad);
    await expect(bad.connect().then(() => bad.query('SELECT 1'))).rejects.toThrow(
      /settings were refused|invalid value/,
    );
    // A startup without a user (PGlite would exit on it): refused as Postgres refuses it.
    const anonymous = new pg.Client({ stream: () => embedded.connect('baton') });
    anonymous.on('error', () => undefined);
    await expect(anonymous.connect()).rejects.toThrow(/no PostgreSQL user name/);
    expect((await plain.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });

  it('warns, naming the holder, when a connection holds the session while others wait', async () => {
    const [holder, other] = await Promise.all([
      client({ application_name: 'slow holder' }),
      client(),
    ]);
    await holder.query('BEGIN');
    const waiting = other.query('SELECT 1');
    await expectEventually(() =>
      expect(stalls).toContainEqual({ holder: 'slow holder', waiting: 1 }),
    );
    await holder.query('COMMIT');
    await waiting;
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
