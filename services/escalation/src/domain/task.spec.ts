import { describe, expect, it } from 'vitest';
import { aTaskRow, TASK_CREATED_AT as created } from '../testing/task-row.builder.js';
import { toDetail } from './task.js';

const open = aTaskRow();
const row = aTaskRow({
  reason: 'unknown customer',
  state: {
    ...open.state,
    evidence: [{ source: 'customer', kind: 'record', content: null, weak: true, note: 'none' }],
    weakEvidence: true,
  },
});

describe('task views', () => {
  it('flags an open task overdue once its SLA passed, and a decided one never', () => {
    expect(toDetail(row, new Date(created.getTime() + 239 * 60_000)).overdue).toBe(false);
    expect(toDetail(row, new Date(created.getTime() + 240 * 60_000)).overdue).toBe(true);
    expect(toDetail({ ...row, status: 'rejected' }, new Date('2027-01-01')).overdue).toBe(false);
  });

  it('shows the reviewer the trigger, the evidence with its weak flags and where it escalated', () => {
    const detail = toDetail(row, created);
    expect(detail).toMatchObject({
      escalatedFrom: { step: 'escalate', seq: 1 },
      trigger: open.state.trigger,
      reason: 'unknown customer',
      weakEvidence: true,
      evidence: [{ source: 'customer', weak: true, note: 'none' }],
      decision: null,
    });
  });
});
