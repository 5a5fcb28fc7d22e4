import type { DataSource } from 'typeorm';
import { describe, expect, it } from 'vitest';
import type { Logger } from '@baton/telemetry';
import {
  DatabaseUnavailableAtStart,
  databaseLocation,
  openDatabaseWhenUp,
} from './database-startup.js';

const refused = () =>
  Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
const startingUp = () =>
  Object.assign(new Error('the database system is starting up'), { code: '57P03' });

/** A clock that moves only when the code under test sleeps, and a logger that keeps its lines. */
function harness() {
  let clock = 0;
  const lines: Array<{ level: string; fields: Record<string, unknown>; message: string }> = [];
  const log = (level: string) => (fields: Record<string, unknown>, message: string) =>
    lines.push({ level, fields, message });
  const logger = { warn: log('warn'), info: log('info') } as unknown as Logger;
  const sleeps: number[] = [];
  return {
    lines,
    sleeps,
    options: (waitMs: number) => ({
      url: 'postgres://baton:s3cret@db.internal:5432/baton',
      waitMs,
      logger,
      now: () => clock,
      sleep: async (ms: number) => {
        sleeps.push(ms);
        clock += ms;
      },
    }),
  };
}

describe(openDatabaseWhenUp.name, () => {
  it('waits while the database is unavailable, one log line per attempt, then opens it', async () => {
    const { lines, sleeps, options } = harness();
    const failures = [refused(), startingUp(), refused()];
    const dataSource = { ok: true } as unknown as DataSource;
    const opened = await openDatabaseWhenUp(async () => {
      const failure = failures.shift();
      if (failure) throw failure;
      return dataSource;
    }, options(60_000));
    expect(opened).toBe(dataSource);
    expect(sleeps).toEqual([500, 1_000, 2_000]);
    expect(lines.map((l) => [l.level, l.message])).toEqual([
      [
        'warn',
        'the database at db.internal:5432/baton is unavailable; waiting for it (up to BATON_DB_STARTUP_WAIT_MS)',
      ],
      [
        'warn',
        'the database at db.internal:5432/baton is unavailable; waiting for it (up to BATON_DB_STARTUP_WAIT_MS)',
      ],
      [
        'warn',
        'the database at db.internal:5432/baton is unavailable; waiting for it (up to BATON_DB_STARTUP_WAIT_MS)',
      ],
      ['info', 'database answered; starting'],
    ]);
    expect(JSON.stringify(lines)).not.toContain('s3cret');
  });

  it('gives up after the wait with an error that says where and how long', async () => {
    const { sleeps, options } = harness();
    const attempt = openDatabaseWhenUp(async () => {
      throw refused();
    }, options(3_000));
    await expect(attempt).rejects.toThrow(DatabaseUnavailableAtStart);
    await expect(attempt).rejects.toThrow(
      'the database at db.internal:5432/baton did not answer within 3000 ms of the start (BATON_DB_STARTUP_WAIT_MS)',
    );
    expect(sleeps.reduce((a, b) => a + b, 0)).toBe(3_000);
  });

  it('does not wait out a failure that waiting cannot fix (a wrong password)', async () => {
    const { sleeps, options } = harness();
    const wrongPassword = Object.assign(new Error('password authentication failed'), {
      code: '28P01',
    });
    await expect(
      openDatabaseWhenUp(async () => {
        throw wrongPassword;
      }, options(60_000)),
    ).rejects.toBe(wrongPassword);
    expect(sleeps).toEqual([]);
  });

  it('names the database without its credentials', () => {
    expect(databaseLocation('postgres://u:p@h:1/db')).toBe('h:1/db');
    expect(databaseLocation('not a url')).toBe('(an unparsable DATABASE_URL)');
  });
});
