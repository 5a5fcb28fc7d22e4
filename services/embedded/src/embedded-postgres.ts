// Postgres inside the process, for the embedded (single-process) mode: PGlite (Postgres
// compiled to WebAssembly), reached by the services' unchanged `pg`/TypeORM code through an
// in-memory stream that speaks the wire protocol — no socket, no syscalls, no event-loop turn
// per packet. Each database has a URL; `@baton/persistence`'s `inProcessConnection(url)` gives
// `pg` the stream for it (openDatabase, BusinessDatabase and seedBusinessData use it). With the
// `listen` option the same database is also served on a loopback socket, for clients outside
// the process (psql); clients inside the process still take the stream.
//
// PGlite is ONE Postgres backend (one session). The pools of six services open many
// connections, so `SessionMultiplexer` puts them onto that one session. The multiplexer of
// @electric-sql/pglite-socket is not enough for Baton (measured, see
// embedded-postgres.integration-spec.ts): it ignores each connection's startup parameters
// (every service relies on `-c search_path=<its schema>`), and it lets the messages of one
// extended-protocol query (Parse/Bind/Execute/Sync) interleave with another connection's,
// which share the session's unnamed statement. Ours:
//  - one connection at a time owns the session, from its first message until the backend is
//    idle again: the end of a query (Sync or simple Query) outside a transaction block, or the
//    end of its transaction. Transactions are therefore serialised, never interleaved: each one
//    runs alone, which is trivially isolated (and `FOR UPDATE SKIP LOCKED` never skips);
//  - when the session passes to another connection, that connection's startup settings
//    (`options=-c name=value`, `application_name`) are applied first.
//  - a connection's own plain `SET name = value` statements (a simple query) become its
//    settings too; anything else that may change settings (`set_config`, `RESET`, `DISCARD`)
//    makes the next connection's settings be applied in full, from a `RESET ALL`.
//  - the messages a connection sent together, up to a Sync or a simple Query (`pg` writes
//    Parse/Bind/Describe/Execute/Sync in one go), run as one call into PGlite.
// What it cannot give: concurrency (one statement at a time, and a transaction that waits on
// something else holds every other connection up, see `stallWarnMs`), session-level state
// other than settings, and session-level advisory locks as a mutual exclusion between
// connections (they all are one session). Transaction-level locks work (nothing overlaps).
import { mkdirSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { Duplex } from 'node:stream';
import { PGlite } from '@electric-sql/pglite';
import { registerInProcessPostgres } from '@baton/persistence';

const PROTOCOL_V3 = 196_608;
const SSL_REQUEST = 80_877_103;
const GSSENC_REQUEST = 80_877_104;
const CANCEL_REQUEST = 80_877_102;
const SIMPLE_QUERY = 0x51; // 'Q'
const PARSE = 0x50; // 'P'
const SYNC = 0x53; // 'S'
const TERMINATE = 0x58; // 'X'
const ERROR_RESPONSE = 0x45; // 'E'
const SETTING_NAME = /^[a-z_][a-z0-9_.]*$/i;
const NO_ENCRYPTION = Buffer.from('N');
const SYNC_MESSAGE = new Uint8Array([SYNC, 0, 0, 0, 4]);
const ROLLBACK_MESSAGE = simpleQuery('ROLLBACK');

export interface EmbeddedPostgresOptions {
  /**
   * Databases to create, each its own PGlite instance (its own backend). Two are needed when a
   * transaction on one waits for statements on the other (Baton's handlers read the business
   * system while their inbox transaction is open).
   */
  databases: readonly string[];
  /** Where to keep the data (`<dataDir>/<database>`); empty: in memory, gone at exit. */
  dataDir?: string;
  /**
   * Also serve each database on a loopback socket, for clients outside this process (psql):
   * the first database on `port`, the next ones on the following ports (0 or none: any free
   * port each). Absent: no socket at all.
   */
  listen?: { host?: string; port?: number };
  /** Warns when a connection has held the session this long while others wait. */
  stallWarnMs?: number;
  onStall?: (details: { database: string; holder: string; waiting: number; ms: number }) => void;
}

export interface EmbeddedPostgres {
  /**
   * The URL of each database, by name. Inside this process a `pg` client configured with
   * `inProcessConnection(url)` (from `@baton/persistence`) connects through an in-memory
   * stream. With `listen`, the URL is the loopback socket's (`postgres://postgres@127.0.0.1:<port>/postgres`),
   * usable from elsewhere too; without, its host is `<database>.<n>.pglite.invalid`, which
   * never resolves: a client that is not given the stream fails at once.
   */
  readonly urls: Record<string, string>;
  /** The loopback socket's URL of each database, when `listen` was given. */
  readonly socketUrls: Record<string, string>;
  /** A new in-memory connection to `database`: what `pg`'s `stream` option takes. */
  connect(database: string): Duplex;
  stop(): Promise<void>;
}

let instances = 0;

/** Starts one PGlite per database, each behind a session multiplexer. */
export async function startEmbeddedPostgres(
  options: EmbeddedPostgresOptions,
): Promise<EmbeddedPostgres> {
  const started: EmbeddedDatabase[] = [];
  const instance = ++instances;
  try {
    // One at a time: each instance takes a couple of seconds of CPU (initdb) on this thread.
    for (const [index, name] of options.databases.entries()) {
      const dataDir = options.dataDir ? join(options.dataDir, name) : undefined;
      if (dataDir) mkdirSync(dataDir, { recursive: true });
      started.push(await EmbeddedDatabase.start(name, dataDir, options, instance, index));
    }
  } catch (error) {
    await Promise.all(started.map((db) => db.stop()));
    throw error;
  }
  const byName = new Map(started.map((db) => [db.name, db]));
  return {
    urls: Object.fromEntries(started.map((db) => [db.name, db.url])),
    socketUrls: Object.fromEntries(
      started.flatMap((db) => (db.socketUrl ? [[db.name, db.socketUrl]] : [])),
    ),
    connect: (database) => {
      const db = byName.get(database);
      if (!db) throw new Error(`no embedded database "${database}"`);
      return db.connect();
    },
    stop: async () => {
      await Promise.all(started.map((db) => db.stop()));
    },
  };
}

class EmbeddedDatabase {
  private readonly connections = new Set<ClientConnection>();
  private unregister: () => void = () => undefined;

  private constructor(
    readonly name: string,
    private readonly db: PGlite,
    private readonly multiplexer: SessionMultiplexer,
    private readonly server: Server | undefined,
    readonly socketUrl: string | undefined,
    readonly url: string,
  ) {}

  static async start(
    name: string,
    dataDir: string | undefined,
    options: EmbeddedPostgresOptions,
    instance: number,
    index: number,
  ): Promise<EmbeddedDatabase> {
    const db = await PGlite.create(dataDir ? { dataDir } : {});
    const multiplexer = new SessionMultiplexer(db, {
      onDisk: dataDir !== undefined,
      stallWarnMs: options.stallWarnMs ?? 10_000,
      onStall: (holder, waiting, ms) => options.onStall?.({ database: name, holder, waiting, ms }),
    });
    let server: Server | undefined;
    let socketUrl: string | undefined;
    if (options.listen) {
      const host = options.listen.host ?? '127.0.0.1';
      server = createServer();
      try {
        await new Promise<void>((resolve, reject) => {
          server!.once('error', reject);
          server!.listen(options.listen!.port ? options.listen!.port + index : 0, host, () =>
            resolve(),
          );
        });
      } catch (error) {
        multiplexer.close();
        await db.close();
        throw error;
      }
      const { port } = server.address() as { port: number };
      socketUrl = `postgres://postgres@${host}:${port}/postgres`;
    }
    const embedded = new EmbeddedDatabase(
      name,
      db,
      multiplexer,
      server,
      socketUrl,
      socketUrl ?? `postgres://postgres@${name}.${instance}.pglite.invalid/postgres`,
    );
    embedded.unregister = registerInProcessPostgres(embedded.url, () => embedded.connect());
    server?.on('connection', (socket) => embedded.accept(socket));
    return embedded;
  }

  /** A client in this process: the in-memory stream `pg` is given instead of a socket. */
  connect(): Duplex {
    return new InMemoryPgStream((stream) =>
      this.open({
        send: (data) => stream.deliver(data),
        close: () => stream.destroy(),
      }),
    );
  }

  /** A client elsewhere, on the loopback socket. */
  private accept(socket: Socket): void {
    socket.setNoDelay(true);
    const connection = this.open({
      send: (data) => {
        if (socket.writable) socket.write(data);
      },
      close: () => {
        socket.end();
        socket.destroy();
      },
    });
    socket.on('data', (chunk) => connection.receive(chunk));
    socket.on('error', () => undefined); // 'close' follows
    socket.once('close', () => connection.closed());
  }

  private open(peer: Peer): ClientConnection {
    const connection = new ClientConnection(this.multiplexer, peer, () =>
      this.connections.delete(connection),
    );
    if (this.multiplexer.isClosed) queueMicrotask(() => connection.close());
    else this.connections.add(connection);
    return connection;
  }

  async stop(): Promise<void> {
    this.unregister();
    this.multiplexer.close();
    for (const connection of this.connections) connection.close();
    if (this.server) await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    await this.db.close();
  }
}

/** What a connection's bytes go back through: the in-memory stream, or the socket. */
interface Peer {
  send(data: Buffer): void;
  close(): void;
}

/**
 * The client end of an in-memory connection: what `pg` takes as its `stream` (it calls
 * `connect`, writes the protocol, reads the answers from 'data', and ends or destroys it).
 */
class InMemoryPgStream extends Duplex {
  private connection: ClientConnection | undefined;
  private ended = false;

  constructor(private readonly open: (stream: InMemoryPgStream) => ClientConnection) {
    // A server that closes its end closes the whole stream (pg waits for 'close').
    super({ allowHalfOpen: false });
  }

  /** `pg` "connects" the stream it was given, as it would a socket. */
  connect(): this {
    process.nextTick(() => {
      if (this.destroyed) return;
      this.connection = this.open(this);
      this.emit('connect');
    });
    return this;
  }

  setNoDelay(): this {
    return this;
  }

  setKeepAlive(): this {
    return this;
  }

  ref(): this {
    return this;
  }

  unref(): this {
    return this;
  }

  /** From the server: the backend's answer. */
  deliver(data: Buffer): void {
    if (!this.destroyed && !this.ended) this.push(data);
  }

  override _write(
    chunk: Buffer,
    _encoding: BufferEncoding,
    callback: (error?: Error | null) => void,
  ): void {
    if (!this.connection) return callback(new Error('embedded Postgres: not connected'));
    this.connection.receive(chunk);
    callback();
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.connection?.closed();
    this.ended = true;
    this.push(null);
    callback();
  }

  override _read(): void {
    // Answers are pushed as the backend produces them.
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.connection?.closed();
    callback(error);
  }
}

/** One unit of work for the session: a connection's messages, run by one call into PGlite. */
interface Unit {
  connection: ClientConnection;
  kind: 'startup' | 'messages' | 'cleanup';
  bytes: Uint8Array;
  /** Ends with Sync or a simple Query (or is a startup message): the backend answers in full. */
  ends: boolean;
  /** The settings its plain SETs make, or 'unknown' when it may change settings otherwise. */
  sessionChange: Record<string, string> | 'unknown' | undefined;
}

let nextConnectionId = 1;

/** The server end of one client connection (in-memory or socket): frames its messages. */
class ClientConnection {
  readonly id = nextConnectionId++;
  name: string;
  settings: Record<string, string> = {};
  isClosed = false;
  private started = false;
  private incoming: Buffer[] = [];
  private framing = false;

  constructor(
    private readonly multiplexer: SessionMultiplexer,
    private readonly peer: Peer,
    private readonly onClosed: () => void,
  ) {
    this.name = `connection ${this.id}`;
  }

  /** Bytes from the client. Framed a microtask later, so that what `pg` writes in one go runs together. */
  receive(chunk: Buffer): void {
    if (this.isClosed) return;
    this.incoming.push(chunk);
    if (this.framing) return;
    this.framing = true;
    queueMicrotask(() => this.frame());
  }

  send(data: Buffer): void {
    if (!this.isClosed) this.peer.send(data);
  }

  /** The server closes the connection. */
  close(): void {
    if (this.isClosed) return;
    this.closed();
    this.peer.close();
  }

  /** The connection is gone (closed by either side): the session is freed of it. */
  closed(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.incoming = [];
    this.onClosed();
    this.multiplexer.disconnect(this);
  }

  private frame(): void {
    this.framing = false;
    if (this.isClosed) return;
    const chunks = this.incoming;
    this.incoming = [];
    const data = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
    let offset = 0;
    let unitStart = 0;
    const units: Unit[] = [];
    let change: Unit['sessionChange'];
    const cut = (end: number, ends: boolean) => {
      if (end > unitStart) {
        units.push({
          connection: this,
          kind: 'messages',
          bytes: data.subarray(unitStart, end),
          ends,
          sessionChange: change,
        });
      }
      change = undefined;
    };
    while (offset + 5 <= data.length) {
      if (!this.started) {
        const length = data.readInt32BE(offset);
        if (length < 8) return this.close(); // not the protocol
        if (offset + length > data.length) break;
        const code = data.readInt32BE(offset + 4);
        const message = data.subarray(offset, offset + length);
        offset += length;
        unitStart = offset;
        if (code === SSL_REQUEST || code === GSSENC_REQUEST) {
          this.send(NO_ENCRYPTION);
        } else if (code === CANCEL_REQUEST) {
          // PGlite has no backend to signal; the protocol wants the connection closed.
          this.close();
          return;
        } else {
          this.started = true;
          const parameters = startupParameters(message);
          if (!parameters?.['user']) {
            // Postgres refuses it; PGlite would exit (the whole instance) on it.
            this.send(fatalError('no PostgreSQL user name specified in startup packet', '28000'));
            return this.close();
          }
          const { options, user: _user, database: _database, ...rest } = parameters;
          this.settings = { ...rest, ...parseOptions(options ?? '') };
          this.name = parameters['application_name'] || this.name;
          units.push({
            connection: this,
            kind: 'startup',
            bytes: message,
            ends: true,
            sessionChange: undefined,
          });
        }
        continue;
      }
      const type = data[offset]!;
      const length = data.readInt32BE(offset + 1);
      if (length < 4) return this.close(); // not the protocol
      const end = offset + 1 + length;
      if (end > data.length) break;
      if (type === TERMINATE) {
        // Closing the stream follows; the session itself must not be terminated.
        cut(offset, false);
        offset = unitStart = end;
        continue;
      }
      if (type === SIMPLE_QUERY || type === PARSE) {
        const messageChange = sessionChangeOf(data.subarray(offset, end));
        if (messageChange === 'unknown' || change === 'unknown') change = 'unknown';
        else if (messageChange) change = { ...change, ...messageChange };
      }
      offset = end;
      if (type === SYNC || type === SIMPLE_QUERY) {
        cut(end, true);
        unitStart = end;
      }
    }
    cut(offset, false);
    if (offset < data.length) this.incoming.push(data.subarray(offset));
    for (const unit of units) this.multiplexer.submit(unit);
  }
}

/**
 * Puts many client connections onto PGlite's one session (see the file comment). It is the
 * only user of its PGlite: every call into it is made from `pump`, one at a time.
 */
class SessionMultiplexer {
  private queue: Unit[] = [];
  private owner: ClientConnection | undefined;
  private ownerIdleSince = 0;
  private warned = false;
  private pumping = false;
  private closedFlag = false;
  private applied: Record<string, string> = {};
  /** After a startup message the session's settings are not known: apply them in full. */
  private appliedKnown = true;
  private readonly watchdog: NodeJS.Timeout;

  constructor(
    private readonly db: PGlite,
    private readonly options: {
      /** Kept in a data directory: what is committed is synced before it is answered. */
      onDisk: boolean;
      stallWarnMs: number;
      onStall: (holder: string, waiting: number, ms: number) => void;
    },
  ) {
    this.watchdog = setInterval(() => this.checkStall(), Math.max(options.stallWarnMs / 2, 100));
    this.watchdog.unref();
  }

  get isClosed(): boolean {
    return this.closedFlag;
  }

  submit(unit: Unit): void {
    if (this.closedFlag) return;
    this.queue.push(unit);
    void this.pump();
  }

  /** The connection is gone: drop what it queued, end what it left open on the session. */
  disconnect(connection: ClientConnection): void {
    this.queue = this.queue.filter((unit) => unit.connection !== connection);
    // Only a connection holding the session (or about to: its unit is running) left anything.
    if (this.closedFlag || (this.owner !== connection && !this.pumping)) return;
    this.queue.unshift({
      connection,
      kind: 'cleanup',
      bytes: SYNC_MESSAGE,
      ends: true,
      sessionChange: undefined,
    });
    void this.pump();
  }

  close(): void {
    this.closedFlag = true;
    clearInterval(this.watchdog);
    this.queue = [];
  }

  private next(): Unit | undefined {
    if (this.owner === undefined) return this.queue.shift();
    const index = this.queue.findIndex((unit) => unit.connection === this.owner);
    return index < 0 ? undefined : this.queue.splice(index, 1)[0];
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      for (let unit = this.next(); unit && !this.closedFlag; unit = this.next()) {
        await this.run(unit);
      }
    } finally {
      this.pumping = false;
    }
    if (this.owner !== undefined) this.ownerIdleSince = Date.now();
  }

  private async run(unit: Unit): Promise<void> {
    const { connection } = unit;
    try {
      if (unit.kind === 'cleanup') return await this.cleanUp(connection);
      if (connection.isClosed) return;
      if (unit.kind === 'startup') this.appliedKnown = false;
      else if (this.owner === undefined && !(await this.applySettings(connection.settings))) {
        // Its settings cannot be applied (a bad `-c` option): as a server would, refuse it.
        connection.send(fatalError("embedded Postgres: the connection's settings were refused"));
        connection.close();
        return;
      }
      const answer = await this.execute(unit.bytes);
      if (unit.sessionChange === 'unknown') this.appliedKnown = false;
      else if (unit.sessionChange) {
        // The connection's own SETs become its settings, applied whenever the session is its.
        connection.settings = { ...connection.settings, ...unit.sessionChange };
        this.applied = { ...this.applied, ...unit.sessionChange };
      }
      // The session stays with this connection until the backend is idle again.
      const idle = unit.ends && !this.db.isInTransaction();
      const owner = idle ? undefined : connection;
      if (owner !== this.owner) this.warned = false;
      this.owner = owner;
      // What is committed is on disk before the client hears of it (in memory: nothing to do).
      if (idle && this.options.onDisk) await this.db.syncToFs();
      if (answer.length > 0) connection.send(answer);
    } catch (error) {
      // PGlite itself failed (not an SQL error: those are answers; a startup for a user or
      // database other than `postgres`, say): the connection cannot go on.
      this.appliedKnown = false;
      connection.send(fatalError(`embedded Postgres (PGlite): ${(error as Error).message}`));
      connection.close();
    }
  }

  /** One call into PGlite with the messages; its answer, copied out of PGlite's memory. */
  private async execute(bytes: Uint8Array): Promise<Buffer> {
    let first: Buffer | undefined;
    let more: Buffer[] | undefined;
    await this.db.execProtocolRawStream(bytes, {
      syncToFs: false,
      // A view into PGlite's memory, valid during this call only: copied.
      onRawData: (data) => {
        const copy = Buffer.from(data);
        if (!first) first = copy;
        else (more ??= [first]).push(copy);
      },
    });
    return more ? Buffer.concat(more) : (first ?? Buffer.alloc(0));
  }

  /** What a connection that went while holding the session left: a cut-off query, a transaction. */
  private async cleanUp(connection: ClientConnection): Promise<void> {
    if (this.owner !== connection) return;
    try {
      // A query cut off before its Sync leaves the session waiting for one.
      await this.execute(SYNC_MESSAGE);
      if (this.db.isInTransaction()) await this.execute(ROLLBACK_MESSAGE);
    } finally {
      this.owner = undefined;
      this.warned = false;
    }
  }

  /**
   * Makes the session look like the next connection's own: its startup settings, in one simple
   * query. False when the backend refused them.
   */
  private async applySettings(wanted: Record<string, string>): Promise<boolean> {
    const statements: string[] = [];
    let applied = this.applied;
    if (!this.appliedKnown) {
      statements.push('RESET ALL');
      applied = {};
    }
    for (const name of new Set([...Object.keys(applied), ...Object.keys(wanted)])) {
      if (!SETTING_NAME.test(name) || applied[name] === wanted[name]) continue;
      const value = wanted[name];
      statements.push(
        value === undefined
          ? `RESET ${name}`
          : `SELECT set_config(${literal(name)}, ${literal(value)}, false)`,
      );
    }
    if (statements.length === 0) return true;
    const answer = await this.execute(simpleQuery(statements.join('; ')));
    this.applied = Object.fromEntries(
      Object.entries(wanted).filter(([name]) => SETTING_NAME.test(name)),
    );
    this.appliedKnown = true;
    if (!hasError(answer)) return true;
    this.appliedKnown = false;
    return false;
  }

  private checkStall(): void {
    if (this.owner === undefined || this.warned || this.pumping) return;
    const waiting = this.queue.filter((unit) => unit.connection !== this.owner).length;
    const ms = Date.now() - this.ownerIdleSince;
    if (waiting === 0 || ms < this.options.stallWarnMs) return;
    this.warned = true;
    this.options.onStall(this.owner.name, waiting, ms);
  }
}

/** A simple Query message. */
function simpleQuery(sql: string): Uint8Array {
  const length = Buffer.byteLength(sql);
  const message = Buffer.alloc(6 + length);
  message[0] = SIMPLE_QUERY;
  message.writeInt32BE(5 + length, 1);
  message.write(sql, 5);
  return message;
}

/** An ErrorResponse of severity FATAL (the connection ends after it). */
function fatalError(message: string, code = '08006'): Buffer {
  const fields = `SFATAL\0VFATAL\0C${code}\0M${message.replaceAll('\0', '')}\0\0`;
  const length = Buffer.byteLength(fields);
  const answer = Buffer.alloc(5 + length);
  answer[0] = ERROR_RESPONSE;
  answer.writeInt32BE(4 + length, 1);
  answer.write(fields, 5);
  return answer;
}

/** A string literal whatever `standard_conforming_strings` is. */
function literal(value: string): string {
  return `E'${value.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
}

/** Whether a backend answer holds an ErrorResponse. */
function hasError(answer: Buffer): boolean {
  for (let offset = 0; offset + 5 <= answer.length;) {
    if (answer[offset] === ERROR_RESPONSE) return true;
    const length = answer.readInt32BE(offset + 1);
    if (length < 4) return true; // not the protocol: treat as a failure
    offset += 1 + length;
  }
  return false;
}

/** The parameters of a StartupMessage, or undefined when the message is not one. */
function startupParameters(message: Uint8Array): Record<string, string> | undefined {
  if (message.length < 8) return undefined;
  const bytes = asBuffer(message);
  if (bytes.readInt32BE(0) !== message.length || bytes.readInt32BE(4) !== PROTOCOL_V3) {
    return undefined;
  }
  const fields = bytes.toString('utf8', 8).split('\0');
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
  const bytes = asBuffer(message);
  let text: string;
  if (bytes[0] === SIMPLE_QUERY) text = cString(bytes, 5);
  else if (bytes[0] === PARSE) text = cString(bytes, bytes.indexOf(0, 5) + 1);
  else return undefined;
  if (!CHANGES_SESSION.test(text)) return undefined;
  if (bytes[0] !== SIMPLE_QUERY || !PLAIN_SETS.test(text)) return 'unknown';
  const settings: Record<string, string> = {};
  for (const [, name, value] of text.matchAll(ONE_SET)) {
    settings[name!.toLowerCase()] = value!.startsWith("'") ? value!.slice(1, -1) : value!;
  }
  return settings;
}

/** The bytes as a Buffer, without copying them. */
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
}

/** The NUL-terminated string at `start`, decoded in place. */
function cString(bytes: Buffer, start: number): string {
  const end = bytes.indexOf(0, start);
  return bytes.toString('utf8', start, end < 0 ? bytes.length : end);
}
