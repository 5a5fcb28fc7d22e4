import { describe, expect, it } from 'vitest';
import { InProcessTransport } from './in-process.transport.js';
import type { InboundRecord } from './transport.js';

describe(InProcessTransport.name, () => {
  it('gives every consumer group each record once, one key in order, records published before joining included', async () => {
    const transport = new InProcessTransport();
    await transport.ensureTopics([{ topic: 't' }]);
    await transport.publish([{ topic: 't', key: 'run-1', value: '0' }]);
    const seen: Record<string, string[]> = { a: [], b: [] };
    const subscribe = (group: 'a' | 'b') =>
      transport.subscribe({
        groupId: group,
        topics: ['t'],
        concurrency: 4,
        handler: async (record: InboundRecord) => {
          await new Promise((resolve) => setImmediate(resolve));
          seen[group]!.push(`${record.key}:${record.value!.toString()}`);
        },
      });
    const a = await subscribe('a');
    const b = await subscribe('b');
    await transport.publish(['1', '2', '3'].map((value) => ({ topic: 't', key: 'run-1', value })));
    await a.stop();
    await b.stop();
    expect(seen.a).toEqual(['run-1:0', 'run-1:1', 'run-1:2', 'run-1:3']);
    expect(seen.b).toEqual(seen.a);
  });

  it('retries a record whose handler throws, and refuses unknown topics', async () => {
    const transport = new InProcessTransport();
    await transport.ensureTopics([{ topic: 't' }]);
    let calls = 0;
    const subscription = await transport.subscribe({
      groupId: 'g',
      topics: ['t'],
      concurrency: 1,
      handler: async () => {
        calls += 1;
        if (calls === 1) throw new Error('not finished');
      },
    });
    await transport.publish([{ topic: 't', key: null, value: 'x' }]);
    await expect(transport.publish([{ topic: 'nope', key: null, value: 'x' }])).rejects.toThrow(
      /does not exist/,
    );
    await subscription.stop();
    expect(calls).toBe(2);
  });
});
