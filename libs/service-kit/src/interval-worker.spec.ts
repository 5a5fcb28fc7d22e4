import type { Logger } from '@baton/telemetry';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { IntervalWorker } from './interval-worker.js';

class CountingWorker extends IntervalWorker {
  constructor(
    readonly work: () => Promise<unknown>,
    logger: Logger,
  ) {
    super({ intervalMs: 500, failureMessage: 'counting failed' }, logger);
  }
}

describe(IntervalWorker.name, () => {
  afterEach(() => vi.useRealTimers());

  it('starts by default and runs its work every interval until shutdown', async () => {
    vi.useFakeTimers();
    const work = vi.fn(() => Promise.resolve());
    const worker = new CountingWorker(work, { error: vi.fn() } as unknown as Logger);
    worker.onApplicationBootstrap();
    expect(worker.started).toBe(true);
    await vi.advanceTimersByTimeAsync(1_500);
    expect(work).toHaveBeenCalledTimes(3);
    await worker.beforeApplicationShutdown();
    await vi.advanceTimersByTimeAsync(1_500);
    expect(work).toHaveBeenCalledTimes(3);
    expect(worker.started).toBe(false);
  });

  it('logs work that throws before returning a promise, and keeps going', async () => {
    const logger = { error: vi.fn() } as unknown as Logger;
    const work = vi
      .fn<() => Promise<unknown>>()
      .mockImplementationOnce(() => {
        throw new Error('not even a promise');
      })
      .mockResolvedValue(undefined);
    const worker = new CountingWorker(work, logger);
    await worker.tick();
    expect(logger.error).toHaveBeenCalledWith(
      { err: new Error('not even a promise') },
      'counting failed',
    );
    await worker.tick();
    expect(work).toHaveBeenCalledTimes(2);
  });
});
