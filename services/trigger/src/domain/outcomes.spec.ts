import { describe, expect, it } from 'vitest';
import { editChanges, rate } from './outcomes.js';

describe('editChanges: a review edit as a diff', () => {
  const proposed = { tool: 'issue-credit', args: { amount: 300, invoiceId: 'inv_1', note: 'x' } };

  it('lists each top-level arg that changed, was added or removed', () => {
    expect(
      editChanges(proposed, {
        tool: 'issue-credit',
        args: { amount: 120, invoiceId: 'inv_1', reason: 'partial' },
      }),
    ).toEqual([
      { field: 'args.amount', proposed: 300, edited: 120 },
      { field: 'args.note', proposed: 'x', edited: null },
      { field: 'args.reason', proposed: null, edited: 'partial' },
    ]);
  });

  it('names a new tool, and compares nested values as JSON', () => {
    expect(
      editChanges(
        { args: { lines: [{ sku: 'a' }] } },
        { tool: 'draft-reply', args: { lines: [{ sku: 'a' }] } },
      ),
    ).toEqual([{ field: 'tool', proposed: null, edited: 'draft-reply' }]);
  });

  it('is empty for a rejection (nothing sent instead)', () => {
    expect(editChanges(proposed, null)).toEqual([]);
  });
});

describe('rate', () => {
  it('is null, not 0, when nothing is there to divide', () => {
    expect(rate(0, 0)).toBeNull();
    expect(rate(2, 3)).toBeCloseTo(2 / 3, 12);
  });
});
