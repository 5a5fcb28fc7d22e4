import { describe, expect, it } from 'vitest';
import { RUN_STATUSES as CONTRACT_RUN_STATUSES, TERMINAL_STATUSES } from '@baton/contracts';
import { RUN_STATUSES, TERMINAL_RUN_STATUSES } from './api-types.js';

// The CLI keeps its own copies (the contracts library is slow to load for a command line);
// this keeps them equal.
describe('run statuses', () => {
  it('are the contract’s', () => {
    expect(RUN_STATUSES).toEqual(CONTRACT_RUN_STATUSES);
    expect(TERMINAL_RUN_STATUSES).toEqual(TERMINAL_STATUSES);
  });
});
