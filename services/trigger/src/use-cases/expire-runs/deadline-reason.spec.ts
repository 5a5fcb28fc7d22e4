import { describe, expect, it } from 'vitest';
import { deadlineReason, type LastReport } from './deadline-reason.js';

const deadline = new Date('2026-12-04T11:00:00.000Z');
const report = (at: string, rest: Partial<LastReport> = {}): LastReport => ({
  deadlineMinutes: 60,
  deadline,
  at: new Date(at),
  by: 'step',
  step: { name: 'decide', kind: 'decision', seq: 3 },
  ...rest,
});

describe(deadlineReason.name, () => {
  it('says a run handed on before its deadline has its next step still running or waiting, naming the last step', () => {
    expect(deadlineReason(report('2026-12-04T10:02:13.000Z'))).toBe(
      'deadline of 60 minutes passed while the run was still running: its next step is still running or waiting for its service (none was dead-lettered): nothing reported since decide (decision, seq 3) finished at 2026-12-04T10:02:13.000Z, 57 minutes before the deadline',
    );
    expect(deadlineReason(report('2026-12-04T10:59:00.000Z'))).toContain(
      'finished at 2026-12-04T10:59:00.000Z, 1 minute before the deadline',
    );
    expect(deadlineReason(report('2026-12-04T10:59:59.999Z'))).toContain(
      ', less than a minute before the deadline',
    );
  });

  it('says the next step never started when the last step handed the run on past its deadline', () => {
    // A step that starts past the deadline ends the run itself: one that never did was not started.
    expect(deadlineReason(report('2026-12-04T11:02:00.000Z'))).toBe(
      "deadline of 60 minutes passed while the run was still running: its next step has not started: decide (decision, seq 3) finished at 2026-12-04T11:02:00.000Z, after the deadline, and a step that starts past the deadline ends the run itself; none was dead-lettered, so that step's service is down or far behind",
    );
    expect(deadlineReason(report('2026-12-04T11:00:00.000Z'))).toContain(
      'its next step has not started',
    );
  });

  it('says the step was lost when it was reported dead-lettered, before or after the deadline', () => {
    const deadLetter = {
      topic: 'baton.step.action.dlq',
      reason: 'handler-rejected',
      error: 'PermanentFailure',
    } as const;
    const step = { name: 'issue-credit', kind: 'action', seq: 4, deadLetter };
    expect(deadlineReason(report('2026-12-04T10:20:00.000Z', { step }))).toBe(
      'deadline of 60 minutes passed while the run was still running: its step issue-credit (action, seq 4) was lost: dead-lettered to baton.step.action.dlq at 2026-12-04T10:20:00.000Z (handler-rejected, PermanentFailure); replay it from there once the cause is fixed',
    );
    expect(deadlineReason(report('2026-12-04T11:20:00.000Z', { step }))).toContain(
      'its step issue-credit (action, seq 4) was lost: dead-lettered',
    );
  });

  it('names the start when no step reported, and the review when one resumed the run', () => {
    expect(
      deadlineReason(report('2026-12-04T10:00:00.000Z', { by: 'started', step: undefined })),
    ).toBe(
      'deadline of 60 minutes passed while the run was still running: its first step is still running or waiting for its service (none was dead-lettered): nothing reported since the run started at 2026-12-04T10:00:00.000Z, 60 minutes before the deadline',
    );
    expect(
      deadlineReason(report('2026-12-04T10:40:00.000Z', { by: 'resumed', step: undefined })),
    ).toContain(
      "its next step is still running or waiting for its service (none was dead-lettered): nothing reported since a reviewer's verdict resumed the run at 2026-12-04T10:40:00.000Z, 20 minutes before the deadline",
    );
  });
});
