import { describe, expect, it } from 'vitest';
import { renderUrl } from './render-url.js';

const scope = {
  trigger: { data: { customerId: 'cus_1001', amount: 18, blank: '', tags: ['a'] } },
};

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
