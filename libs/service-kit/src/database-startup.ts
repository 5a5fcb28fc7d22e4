import type { DataSource } from 'typeorm';
import { isUnavailable } from '@baton/messaging';
import type { Logger } from '@baton/telemetry';

/** The database did not answer within BATON_DB_STARTUP_WAIT_MS of the start. */
export class DatabaseUnavailableAtStart extends Error {
  override name = 'DatabaseUnavailableAtStart';
}

/** `host:port/database` of a Postgres URL: where, without the credentials. */
export function databaseLocation(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.host}${parsed.pathname}`;
  } catch {
    return '(an unparsable DATABASE_URL)';
  }
}

/**
 * Opens the service's database, waiting for it while it is unavailable (refusing connections,
 * starting up, too many clients): a service started before its database, or during a restart,
 * logs one line per attempt and starts once the database answers, rather than crash. After
 * `waitMs` without an answer it gives up with DatabaseUnavailableAtStart. Any other failure (a
 * wrong password, a missing database) is not waited out: it is thrown at once.
 */
export async function openDatabaseWhenUp(
  open: () => Promise<DataSource>,
  options: {
    url: string;
    waitMs: number;
    logger: Logger;
    sleep?: (ms: number) => Promise<void>;
    now?: () => number;
  },
): Promise<DataSource> {
  const sleep = options.sleep ?? ((ms) => new Promise<void>((r) => setTimeout(r, ms)));
  const now = options.now ?? Date.now;
  const where = databaseLocation(options.url);
  const started = now();
  for (let attempt = 1; ; attempt++) {
    try {
      const dataSource = await open();
      if (attempt > 1)
        options.logger.info({ database: where, attempts: attempt }, 'database answered; starting');
      return dataSource;
    } catch (error) {
      if (!isUnavailable(error)) throw error;
      const waitedMs = now() - started;
      if (waitedMs >= options.waitMs)
        throw new DatabaseUnavailableAtStart(
          `the database at ${where} did not answer within ${options.waitMs} ms of the start (BATON_DB_STARTUP_WAIT_MS)`,
          { cause: error },
        );
      const delayMs = Math.min(500 * 2 ** (attempt - 1), 10_000, options.waitMs - waitedMs);
      options.logger.warn(
        { database: where, attempt, waitedMs, delayMs, err: error },
        `the database at ${where} is unavailable; waiting for it (up to BATON_DB_STARTUP_WAIT_MS)`,
      );
      await sleep(delayMs);
    }
  }
}
