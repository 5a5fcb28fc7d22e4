import { describe, expect, it } from 'vitest';
import { ToolInputError, describeError, isTransient } from './tool-error.js';

const pgError = (code: string, message: string) => Object.assign(new Error(message), { code });

describe(isTransient.name, () => {
  it('treats a statement the database refused as final', () => {
    expect(isTransient(pgError('23514', 'violates check constraint'))).toBe(false);
    expect(isTransient(pgError('23503', 'violates foreign key constraint'))).toBe(false);
    expect(isTransient(pgError('42P01', 'relation does not exist'))).toBe(false);
    expect(isTransient(new ToolInputError('no text'))).toBe(false);
  });

  it('retries connection loss, deadlocks, timeouts and unknown errors', () => {
    expect(isTransient(pgError('08006', 'connection failure'))).toBe(true);
    expect(isTransient(pgError('40P01', 'deadlock detected'))).toBe(true);
    expect(isTransient(pgError('57014', 'canceling statement due to statement timeout'))).toBe(
      true,
    );
    expect(isTransient(pgError('ECONNREFUSED', 'connect ECONNREFUSED'))).toBe(true);
    expect(isTransient(new Error('timeout exceeded when trying to connect'))).toBe(true);
  });
});

describe(describeError.name, () => {
  it('adds the SQLSTATE when there is one', () => {
    expect(describeError(pgError('23514', 'violates check constraint "x"'))).toBe(
      'violates check constraint "x" (SQLSTATE 23514)',
    );
    expect(describeError(pgError('ECONNREFUSED', 'connect ECONNREFUSED'))).toBe(
      'connect ECONNREFUSED',
    );
  });
});
