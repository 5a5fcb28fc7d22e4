// Postgres inside the process, for the embedded (single-process) mode: PGlite (Postgres
// compiled to WebAssembly) behind a Postgres wire-protocol socket on loopback, so the services'
// unchanged `pg`/TypeORM code connects to it with a URL.
//
// PGlite is ONE Postgres backend (one session). The pools of six services open many
// connections, so the socket multiplexes them onto that one session. The multiplexer of
// @electric-sql/pglite-socket is not enough for Baton (measured, see
// embedded-postgres.integration-spec.ts): it ignores each connection's startup parameters
// (every service relies on `-c search_path=<its schema>`), and it lets the messages of one
// extended-protocol query (Parse/Bind/Execute/Sync) interleave with another connection's,
// which share the session's unnamed statement. `SessionMultiplexer` below replaces it:
//  - one connection at a time owns the session, from its first message until the backend is
//    idle again: the end of a query (Sync or simple Query) outside a transaction block, or the
//    end of its transaction. Transactions are therefore serialised, never interleaved: each one
//    runs alone, which is trivially isolated (and `FOR UPDATE SKIP LOCKED` never skips);
//  - when the session passes to another connection, that connection's startup settings
//    (`options=-c name=value`, `application_name`) are applied first.
//  - a connection's own plain `SET name = value` statements (a simple query) become its
//    settings too; anything else that may change settings (`set_config`, `RESET`, `DISCARD`)
//    makes the next connection's settings be applied in full, from a `RESET ALL`.
// What it cannot give: concurrency (one statement at a time, and a transaction that waits on
// something else holds every other connection up, see `stallWarnMs`), session-level state
// other than settings, and session-level advisory locks as a mutual exclusion between
// connections (they all are one session). Transaction-level locks work (nothing overlaps).
import { mkdirSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketHandler, type PGLiteSocketHandlerOptions } from '@electric-sql/pglite-socket';

const PROTOCOL_V3 = 196_608;
const SIMPLE_QUERY = 0x51; // 'Q'
const SYNC = 0x53; // 'S'
const TERMINATE = 0x58; // 'X'
const SETTING_NAME = /^[a-z_][a-z0-9_.]*$/i;

export interface EmbeddedPostgresOptions {
  /**
   * Databases to create, each its own PGlite instance (its own backend) on its own port.
   * Two are needed when a transaction on one waits for statements on the other (Baton's
   * handlers read the business system while their inbox transaction is open).
   */
  databases: readonly string[];
  /** Where to keep the data (`<dataDir>/<database>`); empty: in memory, gone at exit. */
  dataDir?: string;
  host?: string;
  /** Warns when a connection has held the session this long while others wait. */
  stallWarnMs?: number;
  onStall?: (details: { database: string; holder: string; waiting: number; ms: number }) => void;
}

export interface EmbeddedPostgres {
  /** `postgres://postgres@127.0.0.1:<port>/postgres` per database name. */
  readonly urls: Record<string, string>;
  stop(): Promise<void>;
}

/** Starts one PGlite per database, each behind a loopback socket with a session multiplexer. */
export async function startEmbeddedPostgres(
  options: EmbeddedPostgresOptions,
): Promise<EmbeddedPostgres> {
  const started: EmbeddedDatabase[] = [];
  try {
    // One at a time: each instance takes a couple of seconds of CPU (initdb) on this thread.
    for (const name of options.databases) {
      const dataDir = options.dataDir ? join(options.dataDir, name) : undefined;
      if (dataDir) mkdirSync(dataDir, { recursive: true });
      started.push(await EmbeddedDatabase.start(name, dataDir, options));
    }
  } catch (error) {
    await Promise.all(started.map((db) => db.stop()));
    throw error;
  }
  return {
    urls: Object.fromEntries(started.map((db) => [db.name, db.url])),
    stop: async () => {
      await Promise.all(started.map((db) => db.stop()));
    },
  };
}

class EmbeddedDatabase {
  private readonly sockets = new Set<Socket>();

  private constructor(
    readonly name: string,
    private readonly db: PGlite,
    private readonly server: Server,
    private readonly multiplexer: SessionMultiplexer,
    readonly url: string,
  ) {}

  static async start(
    name: string,
    dataDir: string | undefined,
    options: EmbeddedPostgresOptions,
  ): Promise<EmbeddedDatabase> {
    const db = await PGlite.create(dataDir ? { dataDir } : {});
    const multiplexer = new SessionMultiplexer(db, {
      stallWarnMs: options.stallWarnMs ?? 10_000,
      onStall: (holder, waiting, ms) => options.onStall?.({ database: name, holder, waiting, ms }),
    });
    const host = options.host ?? '127.0.0.1';
    const server = createServer();
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, host, () => resolve());
      });
    } catch (error) {
      await db.close();
      throw error;
    }
    const { port } = server.address() as { port: number };
    const embedded = new EmbeddedDatabase(
      name,
      db,
      server,
      multiplexer,
      `postgres://postgres@${host}:${port}/postgres`,
    );
    server.on('connection', (socket) => void embedded.accept(socket));
    return embedded;
  }

  private async accept(socket: Socket): Promise<void> {
    const handler = new PGLiteSocketHandler({
      queryQueue: this.multiplexer as unknown as PGLiteSocketHandlerOptions['queryQueue'],
      closeOnDetach: true,
    });
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    try {
      await handler.attach(socket);
    } catch {
      socket.destroy();
    }
  }

  async stop(): Promise<void> {
    this.multiplexer.close();
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    await this.db.close();
  }
}

interface Pending {
  connection: number;
  message: Uint8Array;
  onData: (data: Uint8Array) => void;
  resolve: (bytes: number) => void;
  reject: (error: Error) => void;
}

/**
 * Puts many client connections onto PGlite's one session (see the file comment). Implements
 * the queue interface PGLiteSocketHandler calls: `enqueue` once per protocol message, in the
 * connection's order; `clearQueueForHandler` and `clearTransactionIfNeeded` when it goes.
 */
export class SessionMultiplexer {
  private queue: Pending[] = [];
  private owner: number | undefined;
  private ownerIdleSince = 0;
  private warned = false;
  private pumping = false;
  private closed = false;
  private readonly settings = new Map<number, Record<string, string>>();
  private applied: Record<string, string> = {};
  /** After a startup message the session's settings are not known: apply them in full. */
  private appliedKnown = true;
  private readonly names = new Map<number, string>();
  private readonly watchdog: NodeJS.Timeout;

  constructor(
    private readonly db: PGlite,
    private readonly options: {
      stallWarnMs: number;
      onStall: (holder: string, waiting: number, ms: number) => void;
    },
  ) {
    this.watchdog = setInterval(() => this.checkStall(), Math.max(options.stallWarnMs / 2, 100));
    this.watchdog.unref();
  }

  enqueue(
    connection: number,
    message: Uint8Array,
    onData: (data: Uint8Array) => void,
  ): Promise<number> {
    if (this.closed) return Promise.reject(new Error('embedded Postgres is stopping'));
    return new Promise((resolve, reject) => {
      this.queue.push({ connection, message, onData, resolve, reject });
      void this.pump();
    });
  }

  clearQueueForHandler(connection: number): void {
    this.queue = this.queue.filter((pending) => {
      if (pending.connection !== connection) return true;
      pending.reject(new Error('connection closed'));
      return false;
    });
  }

  /** The connection is gone: end what it left open so the session is free for the others. */
  async clearTransactionIfNeeded(connection: number): Promise<void> {
    this.settings.delete(connection);
    this.names.delete(connection);
    if (this.owner !== connection) return;
    await this.db.runExclusive(async () => {
      // A query cut off before its Sync leaves the session waiting for one.
      await this.db.execProtocolRaw(new Uint8Array([SYNC, 0, 0, 0, 4]));
    });
    if (this.db.isInTransaction()) await this.db.exec('ROLLBACK');
    this.owner = undefined;
    void this.pump();
  }

  close(): void {
    this.closed = true;
    clearInterval(this.watchdog);
    for (const pending of this.queue.splice(0))
      pending.reject(new Error('embedded Postgres is stopping'));
  }

  private next(): Pending | undefined {
    if (this.owner === undefined) return this.queue.shift();
    const index = this.queue.findIndex((pending) => pending.connection === this.owner);
    return index < 0 ? undefined : this.queue.splice(index, 1)[0];
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      for (let pending = this.next(); pending; pending = this.next()) await this.run(pending);
    } finally {
      this.pumping = false;
    }
    if (this.owner !== undefined) this.ownerIdleSince = Date.now();
  }

  private async run(pending: Pending): Promise<void> {
    const { connection, message } = pending;
    try {
      const startup = startupParameters(message);
      if (startup) {
        const { options, user: _user, database: _database, ...rest } = startup;
        this.settings.set(connection, { ...rest, ...parseOptions(options ?? '') });
        this.names.set(connection, startup['application_name'] ?? `connection ${connection}`);
        this.appliedKnown = false;
      } else if (message[0] === TERMINATE) {
        // Closing the socket follows; the session itself must not be terminated.
        pending.resolve(0);
        return;
      } else if (this.owner === undefined) {
        await this.applySettings(this.settings.get(connection) ?? {});
      }
      const sessionChange = startup ? undefined : sessionChangeOf(message);
      let bytes = 0;
      await this.db.runExclusive(() =>
        this.db.execProtocolRawStream(message, {
          onRawData: (data) => {
            bytes += data.length;
            pending.onData(data);
          },
        }),
      );
      if (sessionChange === 'unknown') this.appliedKnown = false;
      else if (sessionChange) {
        // The connection's own SETs become its settings, applied whenever the session is its.
        this.settings.set(connection, { ...this.settings.get(connection), ...sessionChange });
        this.applied = { ...this.applied, ...sessionChange };
      }
      // The session stays with this connection until the backend is idle again.
      const endsQuery = startup !== undefined || message[0] === SIMPLE_QUERY || message[0] === SYNC;
      const owner = endsQuery && !this.db.isInTransaction() ? undefined : connection;
      if (owner !== this.owner) this.warned = false;
      this.owner = owner;
      pending.resolve(bytes);
    } catch (error) {
      pending.reject(error as Error);
    }
  }

  /** Makes the session look like the next connection's own: its startup settings. */
  private async applySettings(wanted: Record<string, string>): Promise<void> {
    if (!this.appliedKnown) {
      await this.db.exec('RESET ALL');
      this.applied = {};
      this.appliedKnown = true;
    }
    const names = new Set([...Object.keys(this.applied), ...Object.keys(wanted)]);
    const changes: Array<[string, string | null]> = [];
    for (const name of names) {
      if (!SETTING_NAME.test(name)) continue;
      if (this.applied[name] !== wanted[name]) changes.push([name, wanted[name] ?? null]);
    }
    for (const [name, value] of changes) {
      if (value === null) await this.db.exec(`RESET ${name}`);
      else await this.db.query('SELECT set_config($1, $2, false)', [name, value]);
    }
    this.applied = Object.fromEntries(
      Object.entries(wanted).filter(([name]) => SETTING_NAME.test(name)),
    );
  }

  private checkStall(): void {
    if (this.owner === undefined || this.warned || this.pumping) return;
    const waiting = this.queue.filter((p) => p.connection !== this.owner).length;
    const ms = Date.now() - this.ownerIdleSince;
    if (waiting === 0 || ms < this.options.stallWarnMs) return;
    this.warned = true;
    this.options.onStall(this.names.get(this.owner) ?? `connection ${this.owner}`, waiting, ms);
  }
}

/** The parameters of a StartupMessage, or undefined when the message is not one. */
function startupParameters(message: Uint8Array): Record<string, string> | undefined {
  if (message.length < 8) return undefined;
  const view = new DataView(message.buffer, message.byteOffset, message.byteLength);
  if (view.getInt32(0) !== message.length || view.getInt32(4) !== PROTOCOL_V3) return undefined;
  const fields = Buffer.from(message.subarray(8)).toString('utf8').split('\0');
  const parameters: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length && fields[i] !== ''; i += 2)
    parameters[fields[i]!] = fields[i + 1]!;
  return parameters;
}

/** `-c search_path=x --statement_timeout=5s` → `{ search_path: 'x', statement_timeout: '5s' }`. */
export function parseOptions(options: string): Record<string, string> {
  const settings: Record<string, string> = {};
  const words = options.split(/\s+/).filter(Boolean);
  for (let i = 0; i < words.length; i++) {
    let assignment: string | undefined;
    if (words[i] === '-c') assignment = words[++i];
    else if (words[i]!.startsWith('-c')) assignment = words[i]!.slice(2);
    else if (words[i]!.startsWith('--')) assignment = words[i]!.slice(2);
    const eq = assignment?.indexOf('=') ?? -1;
    if (assignment && eq > 0) {
      settings[assignment.slice(0, eq).replaceAll('-', '_')] = assignment.slice(eq + 1);
    }
  }
  return settings;
}

const PARSE = 0x50; // 'P'
const PLAIN_SETS =
  /^\s*(?:SET\s+(?:SESSION\s+)?[a-z_][a-z0-9_.]*\s*(?:=|TO)\s*(?:'[^']*'|[a-z0-9_.-]+)\s*(?:;\s*|$))+$/i;
const ONE_SET = /SET\s+(?:SESSION\s+)?([a-z_][a-z0-9_.]*)\s*(?:=|TO)\s*('[^']*'|[a-z0-9_.-]+)/gi;
const CHANGES_SESSION = /set_config|^\s*(?:set|reset|discard)\b/i;

/**
 * What a message does to session settings: the settings of plain `SET name = value` statements
 * sent as a simple query (kept as the connection's own, as on a real server), `'unknown'` for
 * anything else that may change them (`set_config`, `RESET`, `DISCARD`, a SET of another form;
 * the next connection's settings are then applied in full), or nothing.
 */
export function sessionChangeOf(
  message: Uint8Array,
): Record<string, string> | 'unknown' | undefined {
  let text: string;
  if (message[0] === SIMPLE_QUERY) text = cString(message, 5);
  else if (message[0] === PARSE) text = cString(message, message.indexOf(0, 5) + 1);
  else return undefined;
  if (!CHANGES_SESSION.test(text)) return undefined;
  if (message[0] !== SIMPLE_QUERY || !PLAIN_SETS.test(text)) return 'unknown';
  const settings: Record<string, string> = {};
  for (const [, name, value] of text.matchAll(ONE_SET)) {
    settings[name!.toLowerCase()] = value!.startsWith("'") ? value!.slice(1, -1) : value!;
  }
  return settings;
}

function cString(bytes: Uint8Array, start: number): string {
  const end = bytes.indexOf(0, start);
  return Buffer.from(bytes.subarray(start, end < 0 ? bytes.length : end)).toString('utf8');
}
