import { describe, expect, it } from 'vitest';
import { isUnavailable } from './retry-policy.js';

const pgError = (code: string, message: string) => Object.assign(new Error(message), { code });

describe(isUnavailable.name, () => {
  it('recognises a database that cannot serve anyone: refused, overloaded, restarting, cut off', () => {
    expect(isUnavailable(pgError('53300', 'sorry, too many clients already'))).toBe(true);
    expect(
      isUnavailable(pgError('57P01', 'terminating connection due to administrator command')),
    ).toBe(true);
    expect(isUnavailable(pgError('08006', 'connection failure'))).toBe(true);
    expect(isUnavailable(pgError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432'))).toBe(
      true,
    );
    expect(isUnavailable(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isUnavailable(new Error('timeout exceeded when trying to connect'))).toBe(true);
    // TypeORM wraps the driver's error.
    expect(isUnavailable({ message: 'query failed', driverError: pgError('53300', 'x') })).toBe(
      true,
    );
    expect(isUnavailable(new Error('outer', { cause: pgError('57P03', 'starting up') }))).toBe(
      true,
    );
  });

  it('leaves failures about the message or the handler to the bounded retries', () => {
    expect(isUnavailable(pgError('23505', 'duplicate key value violates unique constraint'))).toBe(
      false,
    );
    expect(isUnavailable(pgError('42P01', 'relation "billing.credits" does not exist'))).toBe(
      false,
    );
    expect(isUnavailable(pgError('57014', 'canceling statement due to statement timeout'))).toBe(
      false,
    );
    expect(isUnavailable(new Error('database hiccup'))).toBe(false);
    expect(isUnavailable({ status: 500, message: 'Internal server error' })).toBe(false);
    expect(isUnavailable(undefined)).toBe(false);
  });
});
