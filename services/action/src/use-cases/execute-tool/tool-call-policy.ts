import type { DecisionRecord, StepEnvelope, ToolResult } from '@baton/contracts';
import type { ToolGrantSpec, WorkflowDefinition } from '@baton/workflow';

/** `<runId>:<seq of this action envelope>:<tool>`: one key per action step of a run. */
export function idempotencyKeyFor(envelope: Pick<StepEnvelope, 'runId' | 'step'>, tool: string) {
  return `${envelope.runId}:${envelope.step.seq}:${tool}`;
}

export type Verdict = { ok: true; grant: ToolGrantSpec } | { ok: false; error: string };

const isEmpty = (value: unknown) =>
  value === undefined ||
  value === null ||
  value === '' ||
  (Array.isArray(value) && value.length === 0);

/**
 * The last gate before a tool runs, whatever the steps before decided: only an `act` naming a
 * tool the workflow grants, with its required arguments, and an `amount` within the grant's
 * ceiling. The validation step checked the same; this is defence in depth.
 */
export function checkToolCall(workflow: WorkflowDefinition, decision: DecisionRecord): Verdict {
  if (decision.next !== 'act') {
    return { ok: false, error: `a "${decision.next}" decision executes no tool` };
  }
  const tool = decision.tool;
  if (!tool) return { ok: false, error: 'the decision names no tool' };
  const grant = workflow.tools.find((candidate) => candidate.name === tool);
  if (!grant) return { ok: false, error: `tool ${tool} is not granted` };
  const args = decision.args ?? {};
  const missing = grant.requiredArgs.filter((name) => isEmpty(args[name]));
  if (missing.length > 0) {
    return { ok: false, error: `tool ${tool} needs ${missing.join(', ')}` };
  }
  if (grant.maxAmount !== undefined && args['amount'] !== undefined) {
    const amount = args['amount'];
    // No coercion: "500" is not a number, and a ceiling on text would be no ceiling.
    if (typeof amount !== 'number' || !Number.isFinite(amount)) {
      return { ok: false, error: `tool ${tool} takes a numeric amount` };
    }
    if (amount > grant.maxAmount) {
      return {
        ok: false,
        error: `amount ${amount} exceeds the maximum ${grant.maxAmount} for tool ${tool}`,
      };
    }
  }
  return { ok: true, grant };
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
