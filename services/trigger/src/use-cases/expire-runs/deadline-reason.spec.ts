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
  it('says a run handed on before its deadline has a step still running or lost, naming the last step', () => {
    expect(deadlineReason(report('2026-12-04T10:02:13.000Z'))).toBe(
      'deadline of 60 minutes passed while the run was still running: no step reported since decide (decision, seq 3) finished at 2026-12-04T10:02:13.000Z, 57 minutes before the deadline; the next step is still running or was lost (possibly dead-lettered: see the dead-letter topics)',
    );
    expect(deadlineReason(report('2026-12-04T10:59:00.000Z'))).toContain(
      'finished at 2026-12-04T10:59:00.000Z, 1 minute before the deadline;',
    );
    expect(deadlineReason(report('2026-12-04T10:59:59.999Z'))).toContain(
      ', less than a minute before the deadline;',
    );
  });

  it('says the next step was lost when the last step handed the run on past its deadline', () => {
    // A step that starts past the deadline ends the run itself: one that never did was not started.
    expect(deadlineReason(report('2026-12-04T11:02:00.000Z'))).toBe(
      'deadline of 60 minutes passed while the run was still running: its next step was lost (possibly dead-lettered: see the dead-letter topics): decide (decision, seq 3) finished at 2026-12-04T11:02:00.000Z, after the deadline, and no step reported since, though a step that starts past the deadline ends the run itself',
    );
    expect(deadlineReason(report('2026-12-04T11:00:00.000Z'))).toContain('its next step was lost');
  });

  it('names the start when no step reported, and the review when one resumed the run', () => {
    expect(
      deadlineReason(report('2026-12-04T10:00:00.000Z', { by: 'started', step: undefined })),
    ).toBe(
      'deadline of 60 minutes passed while the run was still running: no step reported since the run started at 2026-12-04T10:00:00.000Z, 60 minutes before the deadline; its first step is still running or was lost (possibly dead-lettered: see the dead-letter topics)',
    );
    expect(
      deadlineReason(report('2026-12-04T10:40:00.000Z', { by: 'resumed', step: undefined })),
    ).toContain(
      "no step reported since a reviewer's verdict resumed the run at 2026-12-04T10:40:00.000Z, 20 minutes before the deadline; the next step",
    );
  });
});
