import type { StepEnvelope } from './step-envelope.js';

export interface StopOptions {
  /** Also stop when the token or cost budget is spent (the step that spends them: decision). */
  spending?: boolean;
}

/**
 * Why the run must stop before this step does anything, or undefined to go on: no step left
 * after this one (whatever a step does needs a next step to be acted on or recorded), or the
 * deadline passed; with `spending`, also no tokens or money left. Every service checks it
 * before it acts, so no step — a write above all — runs beyond the run's limits.
 */
export function stopReason(
  envelope: Pick<StepEnvelope, 'budget' | 'deadline'>,
  now: Date = new Date(),
  options: StopOptions = { spending: true },
): string | undefined {
  const { budget } = envelope;
  if (budget.stepsLeft <= 0) return 'stopped: max steps reached';
  if (Date.parse(envelope.deadline) <= now.getTime()) {
    return `stopped: deadline passed (${envelope.deadline})`;
  }
  if (!options.spending) return undefined;
  if (budget.tokensLeft <= 0) return 'stopped: token budget spent';
  if (budget.costLeftUsd <= 0) return 'stopped: cost budget spent';
  return undefined;
}

/**
 * Why what a step just spent takes the run over its budget, or undefined when it fits: a
 * model call that used more tokens or money than the run had left. Its decision is not acted on.
 */
export function overspent(
  envelope: Pick<StepEnvelope, 'budget'>,
  spent: { tokens: number; costUsd: number },
): string | undefined {
  const { budget } = envelope;
  if (spent.tokens > budget.tokensLeft) {
    return `stopped: the model call used ${spent.tokens} tokens with ${budget.tokensLeft} left in the run's budget; its decision is not acted on`;
  }
  if (spent.costUsd > budget.costLeftUsd + 1e-12) {
    return `stopped: the model call cost $${round(spent.costUsd)} with $${round(budget.costLeftUsd)} left in the run's budget; its decision is not acted on`;
  }
  return undefined;
}

const round = (usd: number) => Number(usd.toPrecision(3));
