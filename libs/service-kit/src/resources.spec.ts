import type { Logger } from '@baton/telemetry';
import { describe, expect, it, vi } from 'vitest';
import { Resources } from './resources.js';

describe(Resources.name, () => {
  it('closes in reverse order, each once, and goes on past a failing close', async () => {
    const logger = { warn: vi.fn() } as unknown as Logger;
    const resources = new Resources(logger);
    const closed: string[] = [];
    resources.add('database', 'db', () => closed.push('database'));
    resources.add('broker', 'kafka', () => {
      throw new Error('already gone');
    });
    const pool = resources.add('pool', { name: 'pool' }, async (p) => {
      closed.push(p.name);
    });
    expect(pool).toEqual({ name: 'pool' });
    expect(resources.names).toEqual(['database', 'broker', 'pool']);

    await resources.closeAll();
    await resources.closeAll();

    expect(closed).toEqual(['pool', 'database']);
    expect(logger.warn).toHaveBeenCalledTimes(1);
    expect(logger.warn).toHaveBeenCalledWith(
      expect.objectContaining({ resource: 'broker' }),
      'closing broker failed',
    );
  });
});
