import { describe, expect, it } from 'vitest';
import { PartitionOffsets } from './partition-offsets.js';

describe(PartitionOffsets.name, () => {
  it('commits only up to the lowest unfinished offset when records finish out of order', () => {
    const offsets = new PartitionOffsets();
    ['10', '11', '12', '13'].forEach((o) => offsets.begin(o));
    offsets.finish('12');
    offsets.finish('13');
    expect(offsets.committable()).toBe('10');
    offsets.markCommitted('10');
    expect(offsets.committable()).toBeNull();
    offsets.finish('10');
    expect(offsets.committable()).toBe('11');
    offsets.finish('11');
    expect(offsets.committable()).toBe('14');
    offsets.markCommitted('14');
    expect(offsets.committable()).toBeNull();
  });

  it('has nothing to commit before the first record', () => {
    expect(new PartitionOffsets().committable()).toBeNull();
  });
});
