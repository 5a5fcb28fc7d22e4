import { describe, expect, it } from 'vitest';
import { billingTask } from '../testing/billing-run.fixture.js';
import { formatTask } from './task.js';

describe(formatTask.name, () => {
  it("shows the workflow's highlights first, in their order, a missing value flagged", () => {
    const lines = formatTask({
      ...billingTask,
      highlights: [
        { path: 'trigger.data.message', value: 'Charged twice in November' },
        { path: 'evidence.customer', value: { id: 'cus_1001', name: 'Ada' } },
        { path: 'args.amount', value: null, missing: true },
        { path: 'evidence.customer.plan', value: null },
      ],
    });
    const first = lines.indexOf('highlights');
    expect(first).toBeGreaterThan(0);
    expect(first).toBeLessThan(lines.indexOf('proposal'));
    expect(lines.slice(first, first + 5)).toEqual([
      'highlights',
      '  trigger.data.message: Charged twice in November',
      '  evidence.customer: {"id":"cus_1001","name":"Ada"}',
      '  args.amount: (missing)',
      '  evidence.customer.plan: null',
    ]);
  });

  it('has no highlights section when the task has none', () => {
    expect(formatTask({ ...billingTask, highlights: [] })).not.toContain('highlights');
    expect(formatTask(billingTask)).not.toContain('highlights');
  });
});
