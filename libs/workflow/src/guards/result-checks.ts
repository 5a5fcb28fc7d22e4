import type { DecisionRecord, RunState } from '@baton/contracts';
import { evaluate } from '../cel/cel.js';
import { proposalScope, ruleScope } from '../rule-scope.js';
import type { ToolGrantSpec } from '../workflow-definition.js';

/** A result check that did not pass: its message, and why when it could not be evaluated. */
export interface ResultCheckFailure {
  /** The check's index in the grant's `resultChecks`. */
  index: number;
  expr: string;
  message: string;
  /** Set when the expression had no value (a missing field, a type error): it fails, closed. */
  error?: string;
}

/**
 * The grant's result checks on what a call returned (docs/workflows.md#result-checks), in order:
 * each is a CEL condition over the proposal scope of the executed call (`args`, `decision`, the
 * rule scope of the run as it was proposed) plus `result`, the tool's output. True passes;
 * false, or no value, fails. Every failing check is returned.
 */
export function checkResult(
  grant: Pick<ToolGrantSpec, 'resultChecks'>,
  decision: DecisionRecord,
  state: RunState,
  output: Record<string, unknown>,
): ResultCheckFailure[] {
  const checks = grant.resultChecks ?? [];
  if (!checks.length) return [];
  const scope = { ...proposalScope(ruleScope(state), decision), result: output };
  const failures: ResultCheckFailure[] = [];
  checks.forEach((check, index) => {
    const evaluated = evaluate(check.expr, scope);
    if (!evaluated.ok)
      failures.push({ index, expr: check.expr, message: check.message, error: evaluated.error });
    else if (evaluated.value !== true)
      failures.push({ index, expr: check.expr, message: check.message });
  });
  return failures;
}

/** The failures as the escalation reason says them: the messages, `; `-separated. */
export function describeResultFailures(failures: readonly ResultCheckFailure[]): string {
  return failures
    .map((failure) =>
      failure.error
        ? `${failure.message} (could not be evaluated, so it fails: ${failure.error})`
        : failure.message,
    )
    .join('; ');
}
