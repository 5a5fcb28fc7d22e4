import { RUN_STATUSES, TERMINAL_STATUSES } from '@baton/contracts';
import { describe, expect, it } from 'vitest';
import { isTerminal, mayMove, mayMoveSql, type RunMove } from './run-status.js';

describe('run status rules', () => {
  it('ends a run in exactly the terminal statuses', () => {
    expect(RUN_STATUSES.filter(isTerminal)).toEqual([...TERMINAL_STATUSES]);
  });

  it('never moves an ended run; expires only a running one', () => {
    const moves: RunMove[] = ['wait', 'resume', 'end', 'expire'];
    const allowed = Object.fromEntries(
      moves.map((move) => [move, RUN_STATUSES.filter((status) => mayMove(status, move))]),
    );
    expect(allowed).toEqual({
      wait: ['running', 'waiting-for-review'],
      resume: ['running', 'waiting-for-review'],
      end: ['running', 'waiting-for-review'],
      expire: ['running'],
    });
  });

  it('says the same rule in SQL', () => {
    expect(mayMoveSql('end')).toBe(
      `status NOT IN ('completed', 'rejected', 'failed', 'cancelled')`,
    );
    expect(mayMoveSql('expire', 'r.status')).toBe(`r.status = 'running'`);
  });
});
