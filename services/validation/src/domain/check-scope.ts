import type { DecisionRecord, RunState } from '@baton/contracts';
import { ruleScope, type Scope } from '@baton/workflow';

/** The scope checks and approvals see: the decision service's rule scope plus the proposal's `args`. */
export function checkScope(state: RunState, decision: DecisionRecord): Scope {
  return ruleScope(state, decision.args ?? {});
}
