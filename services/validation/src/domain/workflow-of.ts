import type { StepEnvelope } from '@baton/contracts';
import type { WorkflowCatalog, WorkflowDefinition } from '@baton/workflow';
import { ValidationStepError, ValidationStepErrorCode } from '../validation.errors.js';

/** The workflow version the run was started with; unknown → dead-lettered (a deploy problem). */
export function workflowOf(catalog: WorkflowCatalog, envelope: StepEnvelope): WorkflowDefinition {
  const { id, version } = envelope.workflow;
  const workflow = catalog.get(id, version);
  if (!workflow) {
    throw new ValidationStepError(
      ValidationStepErrorCode.UnknownWorkflow,
      `workflow ${id}@${version} is not among this instance's workflows`,
    );
  }
  return workflow;
}

// Reasons travel in escalation payloads, which cap them at 2000 characters.
export function clipReason(reason: string): string {
  return reason.length > 2000 ? `${reason.slice(0, 1999)}…` : reason;
}
