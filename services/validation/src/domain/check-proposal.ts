import type { DecisionRecord, RunState } from '@baton/contracts';
import { matches, type WorkflowDefinition } from '@baton/workflow';
import { checkScope } from './check-scope.js';

export type ProposalVerdict =
  | { outcome: 'failed'; message: string }
  | { outcome: 'needs-approval'; reason: string }
  | { outcome: 'passed' };

const isAbsent = (value: unknown) => value === undefined || value === null || value === '';

/**
 * Everything wrong with a proposal, in order: the tool is granted, its required arguments are
 * present, `amount` is within `maxAmount`, and no check of the workflow (for this tool or for
 * every tool) fails. Empty when the proposal may go on.
 */
export function proposalProblems(
  workflow: WorkflowDefinition,
  decision: DecisionRecord,
  state: RunState,
): string[] {
  const name = decision.tool;
  if (decision.next !== 'act' || !name) return ['the proposal names no tool to run'];
  const tool = workflow.tools.find((grant) => grant.name === name);
  if (!tool) return [`tool "${name}" is not granted by this workflow`];

  const problems: string[] = [];
  const args = decision.args ?? {};
  const missing = tool.requiredArgs.filter((arg) => isAbsent(args[arg]));
  if (missing.length)
    problems.push(`missing required argument(s) of ${name}: ${missing.join(', ')}`);
  if (tool.maxAmount !== undefined && !isAbsent(args['amount'])) {
    const amount = args['amount'];
    if (typeof amount !== 'number' || !Number.isFinite(amount)) {
      problems.push(`amount must be a number, got ${JSON.stringify(amount)}`);
    } else if (amount > tool.maxAmount) {
      problems.push(`amount ${amount} is above the maximum of ${tool.maxAmount} for ${name}`);
    }
  }
  const scope = checkScope(state, decision);
  for (const check of workflow.validation.checks) {
    if (check.tool && check.tool !== name) continue;
    if (matches(check.failWhen, scope)) problems.push(check.message);
  }
  return problems;
}

/** The verdict on a proposal: a failed check first, then the first approval that applies. */
export function checkProposal(
  workflow: WorkflowDefinition,
  decision: DecisionRecord,
  state: RunState,
): ProposalVerdict {
  const problems = proposalProblems(workflow, decision, state);
  if (problems.length) return { outcome: 'failed', message: problems.join('; ') };
  const scope = checkScope(state, decision);
  const approval = workflow.validation.approvals.find(
    (candidate) => candidate.tool === decision.tool && matches(candidate.when, scope),
  );
  return approval ? { outcome: 'needs-approval', reason: approval.reason } : { outcome: 'passed' };
}

/** Failed proposals of this run so far (`validate` records with outcome `failed`). */
export function failedValidations(state: RunState): number {
  return state.history.filter(
    (record) =>
      record.name === 'validate' && record.kind === 'validation' && record.outcome === 'failed',
  ).length;
}
