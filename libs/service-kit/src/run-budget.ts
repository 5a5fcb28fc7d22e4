import {
  runEventFor,
  stepFinished,
  stopReason,
  type StepEnvelope,
  type StopOptions,
} from '@baton/contracts';
import type { OutboxTransaction, Routes } from '@baton/messaging';
import { endedBecause, type EndedRuns } from './ended-runs.js';

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

/**
 * Every step service's first check, in the transaction in which it would act: a run that has
 * ended (cancelled, failed, …) is skipped — the step is recorded on the run as `run-ended`
 * with why, and nothing is done or sent on — and a run out of steps or time is ended
 * (`endRunIfOutOfBudget`). True when the step may act.
 */
export async function stepMayAct(
  envelope: StepEnvelope,
  tx: Pick<OutboxTransaction, 'emit' | 'manager'>,
  routes: Routes,
  endedRuns: EndedRuns,
  startedAt: Date,
): Promise<boolean> {
  const ended = await endedRuns.find(tx.manager, envelope.runId);
  if (ended) {
    tx.emit(
      routes.get('run.events'),
      stepFinished(envelope, {
        outcome: 'run-ended',
        startedAt,
        output: { status: ended.status, reason: ended.reason, skipped: endedBecause(ended) },
      }),
    );
    return false;
  }
  return !endRunIfOutOfBudget(envelope, tx, routes, startedAt);
}
