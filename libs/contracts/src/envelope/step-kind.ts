/** The step kinds, one service and one input topic each. */
export const STEP_KINDS = ['context', 'decision', 'action', 'validation', 'escalation'] as const;
export type StepKind = (typeof STEP_KINDS)[number];

export function isStepKind(value: unknown): value is StepKind {
  return typeof value === 'string' && (STEP_KINDS as readonly string[]).includes(value);
}
