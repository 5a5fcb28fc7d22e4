import { describe, expect, it } from 'vitest';
import { KeyedScheduler } from './keyed-scheduler.js';

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

describe(KeyedScheduler.name, () => {
  it('runs different keys in parallel up to the limit, never beyond', async () => {
    const scheduler = new KeyedScheduler(3, 100);
    const release = gate();
    let running = 0;
    let peak = 0;
    for (let i = 0; i < 10; i++) {
      scheduler.submit(`key-${i}`, async () => {
        running += 1;
        peak = Math.max(peak, running);
        await release.opened;
        running -= 1;
      });
    }
    expect(scheduler.stats).toMatchObject({ running: 3, buffered: 10 });
    release.open();
    await scheduler.idle();
    expect(peak).toBe(3);
    expect(scheduler.stats).toMatchObject({ running: 0, buffered: 0, peakRunning: 3 });
  });

  it('runs one key strictly in submission order, one at a time', async () => {
    const scheduler = new KeyedScheduler(8, 100);
    const order: number[] = [];
    let active = 0;
    for (let i = 0; i < 20; i++) {
      scheduler.submit('run-1', async () => {
        active += 1;
        expect(active).toBe(1);
        await new Promise((resolve) => setImmediate(resolve));
        order.push(i);
        active -= 1;
      });
    }
    await scheduler.idle();
    expect(order).toEqual([...Array(20).keys()]);
  });

  it('keeps going after a task throws', async () => {
    const scheduler = new KeyedScheduler(1, 10);
    const done: string[] = [];
    scheduler.submit('k', async () => {
      throw new Error('boom');
    });
    scheduler.submit('k', async () => {
      done.push('second');
    });
    await scheduler.idle();
    expect(done).toEqual(['second']);
  });

  it('reports capacity from the buffer limit and wakes waiters when room frees up', async () => {
    const scheduler = new KeyedScheduler(1, 2);
    const release = gate();
    scheduler.submit('a', () => release.opened);
    scheduler.submit('b', async () => undefined);
    expect(scheduler.hasCapacity()).toBe(false);
    const waiting = scheduler.waitForCapacity(60_000);
    release.open();
    await waiting;
    expect(scheduler.hasCapacity()).toBe(true);
  });
});
