import type { DecisionRecord } from '@baton/contracts';
import type { LedgerScope } from '@baton/effects';
import {
  checkProposal,
  effectClaims,
  type EffectClaim,
  type GuardProblem,
  type WorkflowDefinition,
} from '@baton/workflow';
import { EscalationError, EscalationErrorCode } from './escalation-error.js';
import type { TaskRow } from './task.js';

/** The approved action, and for a write the effect limits it must still fit in. */
export interface GatedApproval {
  decision: DecisionRecord;
  /** A write's claims on its tool's effect limits, to check against the effect ledger. */
  limits?: { scope: LedgerScope; claims: EffectClaim[] };
}

/**
 * A reviewer's approval passes the same gate as a proposal of the rules or the model, at the
 * moment it is made: the workflow's guards (granted tool, pinned and required arguments,
 * `maxAmount`, checks; a call that already failed in this run), then the tool's effect limits
 * (what it claims here; whether the ledger has room is `limitsRefusal`'s, from the ledger's
 * answer). Anything wrong refuses the approval (`proposal-refused` or `tool-not-granted`,
 * every problem by field); the task stays open. The approved action is returned with its
 * pinned arguments bound. The action service checks the limits again, atomically.
 */
export function gateApproval(
  workflow: WorkflowDefinition | undefined,
  task: TaskRow,
  decision: DecisionRecord,
): GatedApproval {
  if (!workflow) {
    throw refused(
      `workflow ${task.workflow_id}@${task.workflow_version} is not known to this instance: the approval cannot be checked`,
      [],
    );
  }
  const verdict = checkProposal(workflow, decision, task.state, { approved: true });
  if (verdict.problems[0]?.guard === 'grant') {
    throw new EscalationError(
      EscalationErrorCode.ToolNotGranted,
      `tool: ${verdict.problems[0].message}`,
    );
  }
  if (verdict.problems.length) throw refused(undefined, verdict.problems.map(problemLine));
  if (verdict.repeats) {
    const { tool, seq, error } = verdict.repeats;
    throw refused(undefined, [
      `args: ${tool} already failed with exactly these arguments at step ${seq} (${error}); edit them or reject`,
    ]);
  }
  const approved = verdict.decision;
  const grant = workflow.tools.find((tool) => tool.name === approved.tool)!;
  if (grant.access !== 'write') return { decision: approved };
  const claims = effectClaims(grant, approved, task.state);
  if (!claims.ok) throw refused(undefined, claims.problems);
  const scope: LedgerScope = {
    tenantId: task.tenant_id,
    workflowId: workflow.id,
    tool: grant.name,
    shadow: workflow.mode === 'shadow',
  };
  return { decision: approved, limits: { scope, claims: claims.claims } };
}

/** The refusal of an approval whose write the effect ledger has no room for (its broken limits). */
export function limitsRefusal(broken: string[]): EscalationError | undefined {
  return broken.length ? refused(undefined, broken) : undefined;
}

function refused(message: string | undefined, problems: string[]): EscalationError {
  const text =
    message ?? `the approved action does not pass the workflow's guards: ${problems.join('; ')}`;
  return new EscalationError(
    EscalationErrorCode.ProposalRefused,
    text,
    problems.length ? problems : [text],
  );
}

/** A problem as an API answer lists it: the field first (`args.customerId: …`). */
function problemLine(problem: GuardProblem): string {
  switch (problem.guard) {
    case 'pinned':
      return `args.${problem.subject}: ${problem.message}`;
    case 'max-amount':
      return `args.amount: ${problem.message}`;
    case 'required':
      return `args: ${problem.message}`;
    case 'check':
      return `check ${problem.subject}: ${problem.message}`;
    case 'grant':
    case 'requires':
      return `tool: ${problem.message}`;
  }
}
