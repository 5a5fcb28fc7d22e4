import type { DecisionRecord } from '@baton/contracts';
import type { EffectLedger } from '@baton/effects';
import {
  checkProposal,
  effectClaims,
  type GuardProblem,
  type WorkflowDefinition,
} from '@baton/workflow';
import type { EntityManager } from 'typeorm';
import { EscalationErrorCode, EscalationException } from '../escalation.exception.js';
import type { TaskRow } from './task.js';

/**
 * A reviewer's approval passes the same gate as a proposal of the rules or the model, at the
 * moment it is made: the workflow's guards (granted tool, pinned and required arguments,
 * `maxAmount`, checks; a call that already failed in this run), and the tool's effect limits
 * against this service's copy of the effect ledger. Anything wrong refuses the approval (422,
 * every problem by field); the task stays open. The approved action is returned with its
 * pinned arguments bound. The action service checks the limits again, atomically.
 */
export async function gateApproval(
  workflow: WorkflowDefinition | undefined,
  task: TaskRow,
  decision: DecisionRecord,
  ledger: EffectLedger,
  manager: EntityManager,
  now: Date,
): Promise<DecisionRecord> {
  if (!workflow) {
    throw refused(
      `workflow ${task.workflow_id}@${task.workflow_version} is not known to this instance: the approval cannot be checked`,
      [],
    );
  }
  const verdict = checkProposal(workflow, decision, task.state, { approved: true });
  if (verdict.problems[0]?.guard === 'grant') {
    throw new EscalationException(
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
  if (grant.access !== 'write') return approved;
  const claims = effectClaims(grant, approved, task.state);
  if (!claims.ok) throw refused(undefined, claims.problems);
  const broken = await ledger.check(
    manager,
    {
      tenantId: task.tenant_id,
      workflowId: workflow.id,
      tool: grant.name,
      shadow: workflow.mode === 'shadow',
    },
    claims.claims,
    now,
  );
  if (broken.length) throw refused(undefined, broken);
  return approved;
}

function refused(message: string | undefined, problems: string[]): EscalationException {
  const text =
    message ?? `the approved action does not pass the workflow's guards: ${problems.join('; ')}`;
  return new EscalationException(
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
