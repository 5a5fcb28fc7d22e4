import {
  runEventFor,
  stepFinished,
  stopReason,
  type StepEnvelope,
  type StopOptions,
} from '@baton/contracts';
import type { OutboxTransaction, Routes } from '@baton/messaging';

/**
 * Every step service's first check: when the run has no step left after this one or is past
 * its deadline (with `spending`, also out of tokens or money), the step does nothing — no
 * source read, no proposal passed on, no tool run, no task opened — and ends the run `failed`
 * with the reason, in the handler's transaction. True when it ended the run.
 */
export function endRunIfOutOfBudget(
  envelope: StepEnvelope,
  tx: Pick<OutboxTransaction, 'emit'>,
  routes: Routes,
  startedAt: Date,
  options: StopOptions = {},
): boolean {
  const reason = stopReason(envelope, startedAt, options);
  if (!reason) return false;
  const events = routes.get('run.events');
  tx.emit(events, stepFinished(envelope, { outcome: 'stopped', startedAt, output: { reason } }));
  tx.emit(events, runEventFor(envelope, { type: 'run.ended', status: 'failed', reason }));
  return true;
}
