import { PermanentFailure } from '@baton/messaging';
import type { WorkflowCatalog, WorkflowDefinition } from '@baton/workflow';

/** The `workflow` a step envelope (or run event) names, when it names one. */
function workflowNamedIn(message: unknown): { id: string; version: number } | undefined {
  const workflow = (message as { workflow?: unknown } | null)?.workflow;
  if (!workflow || typeof workflow !== 'object') return undefined;
  const { id, version } = workflow as { id?: unknown; version?: unknown };
  return typeof id === 'string' && typeof version === 'number' ? { id, version } : undefined;
}

/**
 * Before a message's transaction opens: when it names a workflow version this instance does not
 * hold yet, waits (BATON_WORKFLOW_LOOKUP_WAIT_MS at most) for the registry to deliver it. A
 * version published a moment ago can reach a step before its definition reaches this
 * instance; without the wait the step would be dead-lettered as unknown. Waiting here, not in
 * the handler, holds no database connection.
 */
export function awaitWorkflowVersion(
  workflows: WorkflowCatalog,
): (message: unknown) => Promise<void> {
  return async (message) => {
    const wanted = workflowNamedIn(message);
    if (wanted && !workflows.get(wanted.id, wanted.version))
      await workflows.resolve(wanted.id, wanted.version);
  };
}

/**
 * A step names a workflow version this instance does not hold, even after waiting for the
 * registry: retrying cannot help, so it is dead-lettered at once (replayable once published).
 */
export class UnknownWorkflow extends PermanentFailure {
  readonly code = 'unknown-workflow';
  constructor(id: string, version: number) {
    super(
      `unknown-workflow: workflow ${id}@${version} is not among this instance's workflows; publish it, then replay this record from the dead-letter topic`,
    );
    this.name = 'UnknownWorkflow';
  }
}

/** The workflow version a step envelope was started with, or UnknownWorkflow. */
export function workflowFor(
  workflows: WorkflowCatalog,
  envelope: { workflow: { id: string; version: number } },
): WorkflowDefinition {
  const { id, version } = envelope.workflow;
  const workflow = workflows.get(id, version);
  if (!workflow) throw new UnknownWorkflow(id, version);
  return workflow;
}
