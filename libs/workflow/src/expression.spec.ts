import { describe, expect, it } from 'vitest';
import { getPath, matches, render } from './expression.js';

const scope = {
  trigger: { data: { customerId: 'cus_1', amount: 18, message: 'Charged TWICE' } },
  evidence: { invoices: [{ id: 'inv_1', amount: 18 }], customer: null },
};

describe('workflow expressions', () => {
  it('reads dotted paths through objects and arrays', () => {
    expect(getPath(scope, 'evidence.invoices.0.id')).toBe('inv_1');
    expect(getPath(scope, 'evidence.customer.name')).toBeUndefined();
  });

  it('evaluates conditions, all of which must hold', () => {
    expect(matches([{ path: 'trigger.data.amount', op: 'lte', value: 50 }], scope)).toBe(true);
    expect(matches([{ path: 'trigger.data.amount', op: 'gt', value: 50 }], scope)).toBe(false);
    expect(matches([{ path: 'evidence.customer', op: 'missing' }], scope)).toBe(true);
    expect(matches([{ path: 'trigger.data.message', op: 'contains', value: 'twice' }], scope)).toBe(
      true,
    );
    expect(matches([{ path: 'trigger.data.amount', op: 'gt', value: '10' }], scope)).toBe(false); // no coercion
    expect(matches([], scope)).toBe(true);
  });

  it('renders templates, keeping the type of a whole-value template', () => {
    expect(
      render(
        { amount: '{{ trigger.data.amount }}', note: 'credit for {{ evidence.invoices.0.id }}' },
        scope,
      ),
    ).toEqual({
      amount: 18,
      note: 'credit for inv_1',
    });
  });
});
