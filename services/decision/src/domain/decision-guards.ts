import type { DecisionRecord } from '@baton/contracts';
import type { WorkflowDefinition } from '@baton/workflow';

/** A decision and what it cost, with what the step output should show about how it was made. */
export interface Decided {
  decision: DecisionRecord;
  spent: { tokens: number; costUsd: number };
  output: Record<string, unknown>;
}

/** An escalation made by the decision step itself, because nothing could decide. */
export function noDecision(label: string, reason: string, decidedBy: 'rules' | 'model'): Decided {
  return {
    decision: { next: 'escalate', label, confidence: 1, rationale: reason, decidedBy },
    spent: { tokens: 0, costUsd: 0 },
    output: {},
  };
}

/**
 * What the decision step lets through of a decision, before validation's gate sees it:
 * an `act` must name a granted tool (`refuseUngranted`), and a model decision must be at least
 * as sure as the workflow's `decision.model.minConfidence` (`escalateUnsure`).
 */
export function guardDecision(decided: Decided, workflow: WorkflowDefinition): Decided {
  return escalateUnsure(refuseUngranted(decided, workflow), workflow);
}

/**
 * An `act` must name a tool the workflow grants. Anything else (a prompt-injected tool name)
 * is not sent on: the run escalates, and the refused proposal stays in the step output.
 */
export function refuseUngranted(decided: Decided, workflow: WorkflowDefinition): Decided {
  const { decision } = decided;
  if (decision.next !== 'act') return decided;
  if (decision.tool && workflow.tools.some((tool) => tool.name === decision.tool)) return decided;
  const reason = `${decision.decidedBy} proposed tool "${decision.tool ?? ''}", which this workflow does not grant`;
  return {
    ...decided,
    decision: {
      next: 'escalate',
      label: 'ungranted-tool',
      confidence: 1,
      rationale: reason,
      decidedBy: decision.decidedBy,
    },
    output: { ...decided.output, refusedProposal: decision },
  };
}

/**
 * A model decision less sure than `minConfidence` is not acted on: the run escalates with both
 * numbers in the reason. The proposal travels with the escalation (its tool and args kept), so
 * a reviewer can approve it as it is — through the same gate — edit it or reject it.
 */
export function escalateUnsure(decided: Decided, workflow: WorkflowDefinition): Decided {
  const { decision } = decided;
  const minimum = workflow.decision.model?.minConfidence;
  if (minimum === undefined || decision.decidedBy !== 'model' || decision.next === 'escalate')
    return decided;
  if (decision.confidence >= minimum) return decided;
  const proposed = decision.tool ? `${decision.next} ${decision.tool}` : decision.next;
  return {
    ...decided,
    decision: {
      ...decision,
      next: 'escalate',
      rationale: `the model is ${decision.confidence} sure of "${proposed}" (${decision.label}); the workflow acts on ${minimum} or more: ${decision.rationale}`,
    },
    output: { ...decided.output, unsureProposal: decision },
  };
}
