import pg from 'pg';
import type { OnApplicationShutdown } from '@nestjs/common';
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
    });
    // An idle client that loses its connection emits 'error'; unhandled, it would end the process.
    pool.on('error', (error) =>
      options.logger.warn({ err: error }, 'business database connection lost'),
    );
    return new BusinessDatabase(pool);
  }

  /**
   * One statement in its own transaction — READ ONLY for read access — cancelled by Postgres
   * after `timeoutMs`. Returns the rows as plain JSON.
   */
  async run(access: Access, sql: string, params: unknown[], timeoutMs: number): Promise<Row[]> {
    const client = await this.pool.connect();
    let broken = false;
    try {
      await client.query(access === 'read' ? 'BEGIN READ ONLY' : 'BEGIN');
      await client.query(`SELECT set_config('statement_timeout', $1, true)`, [String(timeoutMs)]);
      const result = await client.query<Row>(sql, params);
      await client.query('COMMIT');
      return toJson(result.rows);
    } catch (error) {
      await client.query('ROLLBACK').catch(() => (broken = true));
      throw error;
    } finally {
      client.release(broken);
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
