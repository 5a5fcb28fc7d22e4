import type { StepEnvelope } from '@baton/contracts';

/**
 * Why the run must stop before anything else is decided, or undefined to go on. Checked
 * first on every decision envelope, so a run cannot loop past its limits.
 */
export function stopReason(
  envelope: Pick<StepEnvelope, 'budget' | 'deadline'>,
  now: Date = new Date(),
): string | undefined {
  const { budget } = envelope;
  if (budget.stepsLeft <= 0) return 'stopped: max steps reached';
  if (Date.parse(envelope.deadline) <= now.getTime()) {
    return `stopped: deadline passed (${envelope.deadline})`;
  }
  if (budget.tokensLeft <= 0) return 'stopped: token budget spent';
  if (budget.costLeftUsd <= 0) return 'stopped: cost budget spent';
  return undefined;
}
