import { isStepKind, stepFinished, type StepEnvelope } from '@baton/contracts';
import type { DeadLettered, MessagingRuntime, Routes } from '@baton/messaging';

/** What the run ledger records of a dead-lettered step (`step.output.deadLetter`). */
export interface DeadLetterReport {
  /** The dead-letter topic the envelope lies in, to be replayed from. */
  topic: string;
  /** `handler-failed` (out of attempts) or `handler-rejected` (a permanent failure). */
  reason: DeadLettered['reason'];
  /** The error's name (`QueryFailedError`); its message stays in the record's headers. */
  error: string;
}

/**
 * The hook that tells the run ledger a step was dead-lettered: the step is recorded on its run
 * with outcome `dead-lettered`, where and why — so the run and the deadline reason say the step
 * was lost rather than slow. Only the error's name is recorded: its message may quote customer
 * data, and stays in the dead-letter record's headers. A replay that then succeeds replaces the
 * row with the step's own report (same envelope id). Messages that are not steps of a run (run
 * events, run.ended) are left to the dead-letter topic alone.
 */
export function reportDeadLetteredSteps(
  runtime: () => MessagingRuntime,
  routes: Routes,
): (message: unknown, dead: DeadLettered) => Promise<void> {
  return async (message, dead) => {
    if (!isStepEnvelope(message)) return;
    const now = new Date();
    const deadLetter: DeadLetterReport = {
      topic: dead.topic,
      reason: dead.reason,
      error: errorName(dead.errors[0] ?? ''),
    };
    await runtime().transaction(async (tx) => {
      tx.emit(
        routes.get('run.events'),
        stepFinished(
          message,
          { outcome: 'dead-lettered', startedAt: now, output: { deadLetter } },
          now,
        ),
      );
    }, 'baton.dead-letter.report');
  };
}

function isStepEnvelope(message: unknown): message is StepEnvelope {
  if (typeof message !== 'object' || message === null) return false;
  const { envelopeId, runId, step } = message as Partial<StepEnvelope>;
  return (
    typeof envelopeId === 'string' &&
    typeof runId === 'string' &&
    typeof step === 'object' &&
    step !== null &&
    isStepKind(step.kind)
  );
}

/** `QueryFailedError: insert or update …` → `QueryFailedError`; no message text. */
function errorName(error: string): string {
  const name = /^[A-Za-z_$][\w$]{0,79}(?=:|$)/.exec(error)?.[0];
  return name ?? 'Error';
}
