import type { RunEvent } from '@baton/contracts';
import { batonMetrics } from '@baton/telemetry';

/**
 * Counts a run event the ledger recorded: runs started and ended (by workflow, version and
 * terminal status) and each step's duration by kind. Labels are the workflow's name and
 * version, a status and a step kind: never a run id or anything the customer wrote.
 */
export function countRunEvent(event: RunEvent): void {
  const metrics = batonMetrics();
  const workflow = {
    'baton.workflow.id': event.workflow.id,
    'baton.workflow.version': event.workflow.version,
  };
  if (event.type === 'run.started') metrics.runsStarted.add(1, workflow);
  else if (event.type === 'run.ended' && event.status)
    metrics.runsEnded.add(1, { ...workflow, 'baton.run.outcome': event.status });
  else if (event.type === 'step.finished' && event.step) {
    const seconds = (Date.parse(event.step.finishedAt) - Date.parse(event.step.startedAt)) / 1000;
    if (seconds >= 0)
      metrics.stepDuration.record(seconds, {
        'baton.step.kind': event.step.kind,
        'baton.workflow.id': event.workflow.id,
      });
  }
}
