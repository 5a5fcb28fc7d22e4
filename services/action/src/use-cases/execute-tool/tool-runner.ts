import type { Scope, ToolGrantSpec } from '@baton/workflow';

/**
 * Runs the tools of one kind (`ToolGrantSpec.kind`). Returns the tool's output; throws what
 * went wrong, and the caller asks `isTransient` whether another attempt may work.
 */
export interface ToolRunner {
  run(grant: ToolGrantSpec, scope: Scope): Promise<Record<string, unknown>>;
}
