import { describe, expect, it } from 'vitest';
import { bindParams } from './bind-params.js';

const scope = {
  trigger: { data: { customerId: 'cus_1001', amount: 18, blank: '', tags: ['a'] } },
};

describe(bindParams.name, () => {
  it('binds values from dotted paths in order, keeping their types', () => {
    expect(
      bindParams(['trigger.data.customerId', 'trigger.data.amount', 'trigger.data.tags'], scope),
    ).toEqual({ values: ['cus_1001', 18, ['a']], missing: [] });
  });

  it('binds NULL for a path that finds nothing and names it as missing', () => {
    expect(bindParams(['trigger.data.invoiceId', 'trigger.data.blank'], scope)).toEqual({
      values: [null, ''],
      missing: ['trigger.data.invoiceId', 'trigger.data.blank'],
    });
  });

  it("binds a tool's scope in order, NULL for what is absent", () => {
    const tool = {
      key: 'r1:3:issue-credit',
      args: { customerId: 'cus_1001', amount: 18 },
      run: { id: 'r1', tenantId: 'acme' },
    };
    expect(
      bindParams(['key', 'args.customerId', 'args.amount', 'args.reason', 'run.tenantId'], tool)
        .values,
    ).toEqual(['r1:3:issue-credit', 'cus_1001', 18, null, 'acme']);
  });
});
