import type { RunState } from '@baton/contracts';

/** Failed proposals of this run so far (`validate` records with outcome `failed`). */
export function failedValidations(state: RunState): number {
  return state.history.filter(
    (record) =>
      record.name === 'validate' && record.kind === 'validation' && record.outcome === 'failed',
  ).length;
}
