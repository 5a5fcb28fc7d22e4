import { describe, expect, it } from 'vitest';
import { isUnavailable } from './source-runner.js';

const pgError = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe(isUnavailable.name, () => {
  it('retries a database or service that cannot serve now', () => {
    expect(isUnavailable(pgError('53300', 'sorry, too many clients already'))).toBe(true);
    expect(isUnavailable(pgError('57P03', 'the database system is starting up'))).toBe(true);
    expect(isUnavailable(pgError('08006', 'connection failure'))).toBe(true);
    expect(isUnavailable(pgError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432'))).toBe(
      true,
    );
    expect(isUnavailable(new Error('timeout exceeded when trying to connect'))).toBe(true);
    expect(isUnavailable(new TypeError('fetch failed', { cause: pgError('ECONNRESET') }))).toBe(
      true,
    );
  });

  it('does not retry what would fail the same way: a missing table, bad SQL, a statement timeout', () => {
    expect(isUnavailable(pgError('42P01', 'relation "billing.customerz" does not exist'))).toBe(
      false,
    );
    expect(isUnavailable(pgError('42601', 'syntax error'))).toBe(false);
    expect(isUnavailable(pgError('57014', 'canceling statement due to statement timeout'))).toBe(
      false,
    );
    expect(isUnavailable(new Error('something else'))).toBe(false);
  });
});
