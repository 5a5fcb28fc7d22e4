import {
  Inject,
  Injectable,
  Optional,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { from, switchMap, type Observable } from 'rxjs';
import type { WorkflowCatalog } from '@baton/workflow';
import { WORKFLOWS } from './tokens.js';

/** The `workflow` a step envelope (or run event) names, when it names one. */
function workflowOf(message: unknown): { id: string; version: number } | undefined {
  const workflow = (message as { workflow?: unknown } | null)?.workflow;
  if (!workflow || typeof workflow !== 'object') return undefined;
  const { id, version } = workflow as { id?: unknown; version?: unknown };
  return typeof id === 'string' && typeof version === 'number' ? { id, version } : undefined;
}

/**
 * Before a message handler runs: when the message names a workflow version this instance
 * does not hold yet, waits (BATON_WORKFLOW_LOOKUP_WAIT_MS at most) for the registry to
 * deliver it. A version published a moment ago can reach a step before its definition
 * reaches this instance; without the wait the step would be dead-lettered as unknown.
 */
@Injectable()
export class WorkflowVersionInterceptor implements NestInterceptor {
  constructor(@Optional() @Inject(WORKFLOWS) private readonly workflows?: WorkflowCatalog) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const wanted =
      context.getType() === 'rpc' ? workflowOf(context.switchToRpc().getData()) : undefined;
    if (!this.workflows || !wanted || this.workflows.get(wanted.id, wanted.version))
      return next.handle();
    return from(this.workflows.resolve(wanted.id, wanted.version)).pipe(
      switchMap(() => next.handle()),
    );
  }
}
