import { describe, expect, it } from 'vitest';
import {
  allHold,
  describeCondition,
  describeFailure,
  evaluateCondition,
  firstFailing,
  getPath,
  matches,
  render,
  type Condition,
} from './expression.js';

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

  it('finds the first condition that does not hold, with the value it saw, and writes it as in a definition', () => {
    const conditions = [
      { path: 'trigger.data.amount', op: 'gt' as const, value: 10 },
      { path: 'trigger.data.channel', op: 'in' as const, value: ['email', 'chat'] },
      { path: 'trigger.data.amount', op: 'lt' as const, value: 5 },
    ];
    expect(firstFailing(conditions, scope)).toEqual({
      index: 1,
      condition: conditions[1],
      actual: undefined,
    });
    expect(firstFailing(conditions.slice(0, 1), scope)).toBeUndefined();
    expect(firstFailing([], scope)).toBeUndefined();
    expect(describeCondition(conditions[1]!)).toBe('trigger.data.channel in ["email","chat"]');
    expect(describeCondition({ path: 'trigger.source', op: 'exists' })).toBe(
      'trigger.source exists',
    );
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

describe('conditions written as CEL expressions', () => {
  const scope = { trigger: { data: { amount: 5, channel: 'email' } }, args: { amount: 60 } };

  it('hold, fail or cannot be evaluated, and say which', () => {
    expect(evaluateCondition('args.amount > 50', scope)).toBe(true);
    expect(evaluateCondition('args.amount > trigger.data.amount * 20.0', scope)).toBe(false);
    expect(evaluateCondition('args.missing > 1', scope)).toEqual({
      error: 'the run has no "missing"',
    });
    expect(evaluateCondition('args.amount', scope)).toEqual({ error: 'is 60, not true or false' });
  });

  it('allHold is false as soon as one fails, else the first error (guards fail closed), else true', () => {
    expect(allHold(['args.missing > 1', 'args.amount < 10'], scope)).toBe(false);
    expect(allHold(['args.amount > 10', 'args.missing > 1'], scope)).toEqual({
      error: 'condition 1 (args.missing > 1): the run has no "missing"',
    });
    expect(
      allHold([{ path: 'args.amount', op: 'gt', value: 50 }, 'args.amount < 100'], scope),
    ).toBe(true);
  });

  it('describes why a condition did not hold', () => {
    const conditions: Condition[] = [
      { path: 'trigger.data.channel', op: 'eq', value: 'chat' },
      "trigger.data.channel == 'chat'",
      'trigger.data.missing',
    ];
    expect(
      conditions.map((_, i) =>
        describeFailure(firstFailing([conditions[i]!], scope)!, 'the event'),
      ),
    ).toEqual([
      'trigger.data.channel eq "chat" (the event has "email")',
      "trigger.data.channel == 'chat' is false",
      'trigger.data.missing (could not be evaluated: the run has no "missing")',
    ]);
  });
});
