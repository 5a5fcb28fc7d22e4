import type { Logger } from '@baton/telemetry';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { EscalationConfig } from '../config/escalation.config.js';
import { SlaSweeper } from './sla-sweeper.js';
import type { EscalateOverdueTasksUseCase } from '../use-cases/escalate-overdue-tasks/escalate-overdue-tasks.use-case.js';

const logger = { error: vi.fn() } as unknown as Logger;
const config = { slaSweepIntervalMs: 1_000 } as EscalationConfig;

describe(SlaSweeper.name, () => {
  afterEach(() => vi.useRealTimers());

  it('sweeps every interval, never two sweeps at once, and stops on shutdown', async () => {
    vi.useFakeTimers();
    let release: () => void = () => undefined;
    const execute = vi.fn(() => new Promise<[]>((resolve) => (release = () => resolve([]))));
    const sweeper = new SlaSweeper(
      { execute } as unknown as EscalateOverdueTasksUseCase,
      config,
      logger,
    );
    sweeper.onApplicationBootstrap();
    await vi.advanceTimersByTimeAsync(999);
    expect(execute).toHaveBeenCalledTimes(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(execute).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(3_000); // the first sweep is still running
    expect(execute).toHaveBeenCalledTimes(1);
    release();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(execute).toHaveBeenCalledTimes(2);
    release();
    await sweeper.beforeApplicationShutdown();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(execute).toHaveBeenCalledTimes(2);
  });

  it('logs a failed sweep and keeps going', async () => {
    const execute = vi.fn().mockRejectedValueOnce(new Error('db down')).mockResolvedValue([]);
    const sweeper = new SlaSweeper(
      { execute } as unknown as EscalateOverdueTasksUseCase,
      config,
      logger,
    );
    await sweeper.tick();
    expect(logger.error).toHaveBeenCalledWith(expect.anything(), 'SLA sweep failed');
    await sweeper.tick();
    expect(execute).toHaveBeenCalledTimes(2);
  });
});
