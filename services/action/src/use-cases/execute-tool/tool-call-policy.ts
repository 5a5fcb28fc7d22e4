import type { StepEnvelope, ToolResult } from '@baton/contracts';

/** `<runId>:<seq of this action envelope>:<tool>`: one key per action step of a run. */
export function idempotencyKeyFor(envelope: Pick<StepEnvelope, 'runId' | 'step'>, tool: string) {
  return `${envelope.runId}:${envelope.step.seq}:${tool}`;
}

/** Shadow mode: what the write would have been, recorded instead of executed. */
export function simulatedResult(
  tool: string,
  args: Record<string, unknown>,
  idempotencyKey: string,
): ToolResult {
  return {
    status: 'simulated',
    output: { wouldExecute: { tool, args, idempotencyKey } },
    idempotencyKey,
  };
}
