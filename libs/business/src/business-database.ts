import pg from 'pg';
import type { OnApplicationShutdown } from '@nestjs/common';
import { inProcessConnection } from '@baton/persistence';
import type { Logger } from '@baton/telemetry';

export type Row = Record<string, unknown>;

/** NUMERIC arrives as text; amounts are numbers in evidence and tool results (rules compare numbers). */
function parseNumeric(text: string): number | string {
  const value = Number(text);
  return Number.isFinite(value) && Math.abs(value) <= Number.MAX_SAFE_INTEGER ? value : text;
}

const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === pg.types.builtins.NUMERIC && format !== 'binary'
      ? parseNumeric
      : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
};

export type Access = 'read' | 'write';

/** What a pooled connection's session is set to, as this process set it. */
interface SessionSettings {
  readOnly: boolean;
  timeoutMs: number;
}
const sessions = new WeakMap<pg.PoolClient, SessionSettings>();

/**
 * Statements that may change the session (settings, transaction state): they run in the
 * explicit form and their connection is discarded. Statements go in the extended protocol, one
 * statement each, so only the statement's first word and `set_config` calls can do that.
 */
const TOUCHES_SESSION =
  /set_config|^\s*(?:(?:--[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/)\s*)*(?:set|reset|discard|begin|start|commit|end|rollback|abort|savepoint|release|prepare|lock)\b/i;

/**
 * Always the extended protocol, even without parameters: it runs exactly one statement (the
 * simple protocol would run `SELECT 1; DELETE …` as two).
 */
function extended(text: string, values: unknown[]): pg.QueryConfig {
  // `queryMode` is pg's, missing from its type declarations.
  return { text, values, queryMode: 'extended' } as pg.QueryConfig;
}

/** Errors of the connection itself (not of the statement): the connection is not reused. */
function isConnectionError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  // A SQLSTATE names a statement's failure; a connection failure has no SQLSTATE (ECONNRESET, …).
  return typeof code !== 'string' || !/^[0-9A-Z]{5}$/.test(code);
}

/**
 * The business system the workflows read and act on (the demo's `billing` schema), through
 * its own pool: it is not Baton's database, and its statements never share a handler's
 * transaction. Shared by the context service (read-only sources) and the action service (tools).
 */
export class BusinessDatabase implements OnApplicationShutdown {
  private constructor(private readonly pool: pg.Pool) {}

  static open(options: {
    url: string;
    poolSize: number;
    logger: Logger;
    applicationName: string;
  }): BusinessDatabase {
    const pool = new pg.Pool({
      connectionString: options.url,
      max: options.poolSize,
      connectionTimeoutMillis: 5_000,
      application_name: options.applicationName,
      types,
      // Embedded mode: an in-memory stream to the PGlite of this process, no socket.
      ...inProcessConnection(options.url),
    });
    // An idle client that loses its connection emits 'error'; unhandled, it would end the process.
    pool.on('error', (error) =>
      options.logger.warn({ err: error }, 'business database connection lost'),
    );
    return new BusinessDatabase(pool);
  }

  /**
   * One statement, read-only for read access, cancelled by Postgres after `timeoutMs`; returns
   * the rows as plain JSON. One round trip: the statement runs in its own implicit transaction,
   * and read-only mode and the timeout are the connection's session settings, set (one more
   * round trip) only when they differ from what the connection already has.
   *
   * A statement that could change session settings itself (it names `set_config` or is a `SET`)
   * runs as before, in an explicit transaction with `SET LOCAL`-style settings, and its
   * connection is discarded afterwards: no later statement inherits what it did. Within one
   * statement, read-only cannot be undone (Postgres refuses read-write once a query ran).
   */
  async run(access: Access, sql: string, params: unknown[], timeoutMs: number): Promise<Row[]> {
    const client = await this.pool.connect();
    const touchesSession = TOUCHES_SESSION.test(sql);
    let broken = touchesSession;
    try {
      if (touchesSession) return await this.isolated(client, access, sql, params, timeoutMs);
      const wanted: SessionSettings = { readOnly: access === 'read', timeoutMs };
      const current = sessions.get(client);
      if (current?.readOnly !== wanted.readOnly || current.timeoutMs !== wanted.timeoutMs) {
        // Forget first: a failure halfway leaves the session unknown, set again next time.
        sessions.delete(client);
        await client.query(
          `SET default_transaction_read_only = ${wanted.readOnly ? 'on' : 'off'}; SET statement_timeout = ${Math.trunc(timeoutMs)}`,
        );
        sessions.set(client, wanted);
      }
      const result = await client.query<Row>(extended(sql, params));
      return toJson(result.rows);
    } catch (error) {
      // A lost connection is not given back to the pool; a statement error leaves it usable.
      if (isConnectionError(error)) broken = true;
      throw error;
    } finally {
      client.release(broken);
    }
  }

  /** The explicit form: its own transaction, settings local to it. */
  private async isolated(
    client: pg.PoolClient,
    access: Access,
    sql: string,
    params: unknown[],
    timeoutMs: number,
  ): Promise<Row[]> {
    try {
      await client.query(access === 'read' ? 'BEGIN READ ONLY' : 'BEGIN READ WRITE');
      await client.query(`SELECT set_config('statement_timeout', $1, true)`, [String(timeoutMs)]);
      const result = await client.query<Row>(extended(sql, params));
      await client.query('COMMIT');
      return toJson(result.rows);
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }

  private closing: Promise<void> | undefined;

  /** Ends the pool, once: the kit's start-up cleanup and Nest's shutdown may both ask. */
  close(): Promise<void> {
    return (this.closing ??= this.pool.end());
  }

  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }
}

/** Plain JSON (dates become ISO strings), exactly as results are stored and sent on. */
export function toJson<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
