import { describe, expect, it } from 'vitest';
import { bindParams } from './bind-params.js';

describe(bindParams.name, () => {
  it('binds values from the tool scope in order, NULL for what is absent', () => {
    const scope = {
      key: 'r1:3:issue-credit',
      args: { customerId: 'cus_1001', amount: 18 },
      run: { id: 'r1', tenantId: 'acme' },
    };
    expect(
      bindParams(['key', 'args.customerId', 'args.amount', 'args.reason', 'run.tenantId'], scope),
    ).toEqual(['r1:3:issue-credit', 'cus_1001', 18, null, 'acme']);
  });
});
