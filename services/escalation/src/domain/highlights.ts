import type { StepEnvelope } from '@baton/contracts';
import { getPath, proposalScope, ruleScope } from '@baton/workflow';
import type { Highlight } from './task.js';

/**
 * The values `escalation.show` names, in its order, from the rule scope of the escalated run
 * (`trigger…`, `evidence…`, `done…`, …) and the proposal's `args` when the escalation carries
 * one. A path with no value yields `null`, flagged `missing`, so the reviewer sees that the
 * run lacks it rather than an empty line. Computed once, when the task is created: the task
 * shows what the run had when it escalated.
 */
export function highlightsOf(
  show: readonly string[] | undefined,
  envelope: StepEnvelope<'escalation'>,
): Highlight[] {
  if (!show?.length) return [];
  const { state, decision } = envelope.payload;
  const rules = ruleScope(state);
  const scope = decision ? proposalScope(rules, decision) : rules;
  return show.map((path) => {
    const value = getPath(scope, path);
    return value === undefined ? { path, value: null, missing: true } : { path, value };
  });
}
