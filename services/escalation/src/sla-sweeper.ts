import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type BeforeApplicationShutdown,
} from '@nestjs/common';
import { LOGGER } from '@baton/service-kit';
import type { Logger } from '@baton/telemetry';
import { ESCALATION_CONFIG, type EscalationConfig } from './escalation.config.js';
import { EscalateOverdueTasksUseCase } from './use-cases/escalate-overdue-tasks/escalate-overdue-tasks.use-case.js';

/** Runs the SLA sweep every `BATON_SLA_SWEEP_INTERVAL_MS`, one sweep at a time. */
@Injectable()
export class SlaSweeper implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly sweep: EscalateOverdueTasksUseCase,
    @Inject(ESCALATION_CONFIG) private readonly config: EscalationConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.tick(), this.config.slaSweepIntervalMs);
    this.timer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** One sweep, unless the previous one is still running; failures are logged, not thrown. */
  tick(): Promise<void> {
    if (this.running) return this.running;
    this.running = this.sweep
      .execute()
      .then(() => undefined)
      .catch((error: unknown) => this.logger.error({ err: error }, 'SLA sweep failed'))
      .finally(() => (this.running = undefined));
    return this.running;
  }
}
