type Task = () => Promise<void>;

/**
 * Runs tasks with a global concurrency limit while keeping tasks of one key strictly in
 * submission order, one at a time. Different keys run in parallel even when they share a
 * Kafka partition: parallelism is a setting, not the partition count.
 */
export class KeyedScheduler {
  private running = 0;
  private buffered = 0;
  private peak = 0;
  /** Per active key, its tasks in order; the head is running or ready to run. */
  private readonly queues = new Map<string, Task[]>();
  /** Keys whose head task waits for a free slot, oldest first. */
  private readonly ready: string[] = [];
  private readonly capacityWaiters: Array<() => void> = [];
  private readonly idleWaiters: Array<() => void> = [];

  constructor(
    readonly concurrency: number,
    readonly maxBuffered: number = Math.max(concurrency * 4, concurrency + 1),
  ) {
    if (!Number.isInteger(concurrency) || concurrency < 1)
      throw new Error('concurrency must be >= 1');
    if (maxBuffered < concurrency) throw new Error('maxBuffered must be >= concurrency');
  }

  get stats(): { running: number; buffered: number; peakRunning: number } {
    return { running: this.running, buffered: this.buffered, peakRunning: this.peak };
  }

  hasCapacity(): boolean {
    return this.buffered < this.maxBuffered;
  }

  /** Resolves when one more task may be submitted, or after `timeoutMs` (whichever is first). */
  waitForCapacity(timeoutMs: number): Promise<void> {
    if (this.hasCapacity()) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, timeoutMs);
      const waiters = this.capacityWaiters;
      function done() {
        clearTimeout(timer);
        const index = waiters.indexOf(done);
        if (index >= 0) waiters.splice(index, 1);
        resolve();
      }
      waiters.push(done);
    });
  }

  submit(key: string, task: Task): void {
    this.buffered += 1;
    const queue = this.queues.get(key);
    if (queue) {
      queue.push(task);
      return;
    }
    this.queues.set(key, [task]);
    this.ready.push(key);
    this.pump();
  }

  /** Resolves when nothing is running or waiting. */
  idle(): Promise<void> {
    if (this.buffered === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private pump(): void {
    while (this.running < this.concurrency && this.ready.length > 0) {
      const key = this.ready.shift()!;
      const task = this.queues.get(key)![0]!;
      this.running += 1;
      this.peak = Math.max(this.peak, this.running);
      void task()
        .catch(() => undefined) // tasks own their errors; a throw must not wedge the key
        .finally(() => this.finish(key));
    }
  }

  private finish(key: string): void {
    this.running -= 1;
    this.buffered -= 1;
    const queue = this.queues.get(key)!;
    queue.shift();
    if (queue.length > 0) this.ready.push(key);
    else this.queues.delete(key);
    this.pump();
    this.capacityWaiters.splice(0).forEach((wake) => wake());
    if (this.buffered === 0) this.idleWaiters.splice(0).forEach((wake) => wake());
  }
}
