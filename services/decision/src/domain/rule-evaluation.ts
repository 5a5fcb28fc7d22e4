import type { DecisionRecord } from '@baton/contracts';
import { matches, render, type Condition, type RuleSpec, type Scope } from '@baton/workflow';

export interface RuleDecision {
  rule: string;
  decision: DecisionRecord;
}

/** Whether a condition reads the evidence of one of these sources. */
export function readsSource(condition: Condition, sources: ReadonlySet<string>): boolean {
  const text = typeof condition === 'string' ? condition : condition.path;
  return [...sources].some((source) =>
    new RegExp(`\\bevidence(\\.${source}(?![\\w-])|\\[\\s*['"]${source}['"]\\s*\\])`).test(text),
  );
}

/**
 * The first rule whose conditions all hold decides; its `then.args` templates are rendered
 * against the scope. Undefined when no rule decides (the model is asked next). A rule that
 * reads the evidence of a source that failed is not tried: a missing record there means the
 * source did not answer, not that there is none.
 */
export function decideByRules(
  rules: RuleSpec[],
  scope: Scope,
  failedSources: ReadonlySet<string> = new Set(),
): RuleDecision | undefined {
  const rule = rules.find(
    (candidate) =>
      !candidate.when.some((condition) => readsSource(condition, failedSources)) &&
      matches(candidate.when, scope),
  );
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
