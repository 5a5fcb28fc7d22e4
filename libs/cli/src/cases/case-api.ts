import { ApiError, UnreachableError, type ApiClient } from '../api-client.js';
import type { TaskSummary } from '../api-types.js';

// What the case runner asks of Baton's APIs beyond a single call, shared by the runs it makes.

/** Baton could not be reached: the whole command stops (every other case would fail alike). */
export class CasesUnreachable extends Error {
  constructor(readonly unreachable: UnreachableError) {
    super(unreachable.message);
    this.name = 'CasesUnreachable';
  }
}

/** The run's tasks, oldest first (the filter is checked here too, for an older service). */
export async function tasksOf(
  client: ApiClient,
  runId: string,
  status?: string,
): Promise<TaskSummary[]> {
  const { body } = await client.listTasks({ runId, limit: 200, ...(status ? { status } : {}) });
  return body.items.filter((task) => task.runId === runId).sort((a, b) => a.id.localeCompare(b.id));
}

export async function cancel(
  client: ApiClient,
  runId: string,
  reason = 'baton cases: the case is finished',
): Promise<void> {
  try {
    await client.cancelRun(runId, reason);
  } catch (error) {
    // Tidying up only: a run that ended meanwhile, or a key that may not cancel, is fine.
    if (error instanceof UnreachableError) throw error;
  }
}

export function describeError(error: unknown): string {
  if (error instanceof ApiError) {
    return `HTTP ${error.status}${error.code ? ` ${error.code}` : ''}: ${error.problems.join('; ')}`;
  }
  return error instanceof Error ? error.message : String(error);
}
