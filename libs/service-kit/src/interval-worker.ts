import type {
  BeforeApplicationShutdown,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import type { Logger } from '@baton/telemetry';

/** How an IntervalWorker runs. */
export interface IntervalWorkerOptions {
  /** Milliseconds between two runs, from the start of the service. */
  intervalMs: number;
  /** Logged, with the error, when a run fails (the worker keeps going). */
  failureMessage: string;
}

/**
 * Runs `work` every `intervalMs` from the start of the service, one run at a time. It stops
 * before the kit closes the database and the broker: the timer is cleared and a run under way
 * finishes in `beforeApplicationShutdown`, which Nest calls before any `onApplicationShutdown`
 * (where the kit closes them); `onApplicationShutdown` only makes sure.
 */
export abstract class IntervalWorker
  implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown
{
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  protected constructor(
    private readonly options: IntervalWorkerOptions,
    protected readonly logger: Logger,
  ) {}

  /** One run; what it returns is ignored, what it throws is logged. */
  protected abstract work(): Promise<unknown>;

  /** Whether to start the timer at all (subclasses log why not); called once at bootstrap. */
  protected shouldStart(): boolean {
    return true;
  }

  onApplicationBootstrap(): void {
    if (!this.shouldStart()) return;
    this.timer = setInterval(() => void this.tick(), this.options.intervalMs);
    this.timer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.beforeApplicationShutdown();
  }

  /** Runs the work, unless the previous run is still going; failures are logged, not thrown. */
  tick(): Promise<void> {
    if (this.running) return this.running;
    this.running = Promise.resolve()
      .then(() => this.work())
      .then(() => undefined)
      .catch((error: unknown) => this.logger.error({ err: error }, this.options.failureMessage))
      .finally(() => (this.running = undefined));
    return this.running;
  }

  /** Whether the timer is running (for tests). */
  get started(): boolean {
    return this.timer !== undefined;
  }
}
