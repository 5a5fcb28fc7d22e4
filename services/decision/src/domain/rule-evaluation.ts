import type { DecisionRecord } from '@baton/contracts';
import { matches, render, type RuleSpec, type Scope } from '@baton/workflow';

export interface RuleDecision {
  rule: string;
  decision: DecisionRecord;
}

/**
 * The first rule whose conditions all hold decides; its `then.args` templates are rendered
 * against the scope. Undefined when no rule decides (the model is asked next).
 */
export function decideByRules(rules: RuleSpec[], scope: Scope): RuleDecision | undefined {
  const rule = rules.find((candidate) => matches(candidate.when, scope));
  if (!rule) return undefined;
  const { then } = rule;
  const decision: DecisionRecord = {
    next: then.next,
    label: then.label,
    confidence: then.confidence,
    rationale: then.rationale,
    decidedBy: 'rules',
  };
  if (then.tool) decision.tool = then.tool;
  if (then.args) decision.args = render(then.args, scope) as Record<string, unknown>;
  return { rule: rule.name, decision };
}
