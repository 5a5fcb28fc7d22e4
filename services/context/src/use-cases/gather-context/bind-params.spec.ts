import { describe, expect, it } from 'vitest';
import { bindParams, renderUrl } from './bind-params.js';

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
      values: [null, null],
      missing: ['trigger.data.invoiceId', 'trigger.data.blank'],
    });
  });
});

describe(renderUrl.name, () => {
  it('URL-encodes every value, so trigger data cannot change the path or the query', () => {
    const evil = { trigger: { data: { customerId: '../admin?x=1&y=2#z' } } };
    expect(renderUrl('https://crm.example/customers/{{ trigger.data.customerId }}', evil)).toEqual({
      url: 'https://crm.example/customers/..%2Fadmin%3Fx%3D1%26y%3D2%23z',
      missing: [],
    });
  });

  it('names missing and non-scalar values instead of rendering them', () => {
    expect(
      renderUrl('https://x/{{ trigger.data.nothing }}/{{ trigger.data.tags }}', scope),
    ).toEqual({
      url: 'https://x//',
      missing: ['trigger.data.nothing', 'trigger.data.tags'],
    });
  });
});
