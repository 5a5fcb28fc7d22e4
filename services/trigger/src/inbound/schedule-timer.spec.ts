import type { Logger } from '@baton/telemetry';
import type { WorkflowDefinition } from '@baton/workflow';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ScheduleTimer } from './schedule-timer.js';
import type { FireSchedulesUseCase } from '../use-cases/fire-schedules/fire-schedules.use-case.js';

const logger = { error: vi.fn(), warn: vi.fn(), info: vi.fn() } as unknown as Logger;
const workflow = (id: string, eventTypes: string[]) =>
  ({ id, version: 1, trigger: { eventTypes, schedule: '0 8 * * 1' } }) as WorkflowDefinition;

function useCase(
  execute: () => Promise<unknown>,
  scheduled = [workflow('weekly', ['schedule.tick'])],
) {
  return {
    execute: vi.fn(execute),
    scheduled: () => scheduled,
    notAcceptingTicks: () => [workflow('no-ticks', ['support.ticket.created'])],
  } as unknown as FireSchedulesUseCase & { execute: ReturnType<typeof vi.fn> };
}

describe(ScheduleTimer.name, () => {
  afterEach(() => vi.useRealTimers());

  it('fires every tick interval from bootstrap, one run at a time, and stops on shutdown', async () => {
    vi.useFakeTimers();
    let release: () => void = () => undefined;
    const fire = useCase(() => new Promise<[]>((resolve) => (release = () => resolve([]))));
    const timer = new ScheduleTimer(fire, { tickMs: 1_000 }, logger);
    timer.onApplicationBootstrap();
    expect(timer.started).toBe(true);
    expect(logger.warn).toHaveBeenCalledWith(
      { workflowId: 'no-ticks', schedule: '0 8 * * 1' },
      expect.stringContaining('does not list "schedule.tick"'),
    );
    await vi.advanceTimersByTimeAsync(999);
    expect(fire.execute).toHaveBeenCalledTimes(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(fire.execute).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(3_000); // the first run is still going
    expect(fire.execute).toHaveBeenCalledTimes(1);
    release();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(fire.execute).toHaveBeenCalledTimes(2);

    // Shutdown waits for the run under way, then nothing fires any more.
    let stopped = false;
    const stopping = timer.beforeApplicationShutdown().then(() => (stopped = true));
    await vi.advanceTimersByTimeAsync(0);
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(timer.started).toBe(false);
    await timer.onApplicationShutdown();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(fire.execute).toHaveBeenCalledTimes(2);
  });

  it('starts no timer when no workflow is scheduled', () => {
    const timer = new ScheduleTimer(
      useCase(() => Promise.resolve([]), []),
      { tickMs: 1_000 },
      logger,
    );
    timer.onApplicationBootstrap();
    expect(timer.started).toBe(false);
  });

  it('logs a failed run and keeps going', async () => {
    let calls = 0;
    const fire = useCase(() =>
      ++calls === 1 ? Promise.reject(new Error('db down')) : Promise.resolve([]),
    );
    const timer = new ScheduleTimer(fire, { tickMs: 1_000 }, logger);
    await timer.tick();
    expect(logger.error).toHaveBeenCalledWith(expect.anything(), 'firing schedules failed');
    await timer.tick();
    expect(fire.execute).toHaveBeenCalledTimes(2);
  });
});
