import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { TriggerEvent } from '@baton/contracts';
import type { MessagingRuntime } from '@baton/messaging';
import { DATA_SOURCE, LOGGER, MESSAGING_RUNTIME, WORKFLOWS } from '@baton/service-kit';
import type { Logger } from '@baton/telemetry';
import { parseCron, type WorkflowCatalog, type WorkflowDefinition } from '@baton/workflow';
import { CLOCK, type Clock } from '../../clock.js';
import { SCHEDULE_CONFIG, type ScheduleConfig } from '../../schedule.config.js';
import { TriggerException } from '../../trigger.exception.js';
import { StartRunUseCase, isIgnored } from '../start-run/start-run.use-case.js';
import { dueTicks } from './due-ticks.js';

/** The event type of a scheduled run's trigger: a workflow lists it to be started by its schedule. */
export const SCHEDULE_EVENT_TYPE = 'schedule.tick';
export const SCHEDULE_SOURCE = 'baton-scheduler';

/** What happened to one due tick on this instance. */
export interface TickOutcome {
  workflowId: string;
  tick: string;
  /**
   * `started`: this instance claimed the tick and started its run; `claimed-elsewhere`: another
   * instance had (nothing done here); `refused`: claimed, but the workflow refused the event;
   * `ignored`: claimed, but the workflow's `trigger.filters` did not hold for it.
   */
  outcome: 'started' | 'claimed-elsewhere' | 'refused' | 'ignored';
  runId?: string;
  reason?: string;
}

/**
 * Fires the due ticks of every scheduled workflow (the latest version of each id with a
 * `trigger.schedule`): for each tick, in one transaction, claims it in `schedule_ticks` and, if
 * this instance's insert made the claim, starts the run through StartRunUseCase. Concurrent
 * instances insert the same key; Postgres lets exactly one through, so a tick fires once.
 */
@Injectable()
export class FireSchedulesUseCase {
  constructor(
    @Inject(WORKFLOWS) private readonly workflows: WorkflowCatalog,
    @Inject(MESSAGING_RUNTIME) private readonly runtime: MessagingRuntime,
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(SCHEDULE_CONFIG) private readonly config: ScheduleConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly startRun: StartRunUseCase,
  ) {}

  /**
   * The workflows the scheduler fires: the latest version of each id, when it has a
   * `trigger.schedule` and lists `schedule.tick` in `trigger.eventTypes`.
   */
  scheduled(): WorkflowDefinition[] {
    return this.withSchedule().filter((w) => w.trigger.eventTypes.includes(SCHEDULE_EVENT_TYPE));
  }

  /** Workflows with a schedule that do not accept `schedule.tick`: never fired (warned at start). */
  notAcceptingTicks(): WorkflowDefinition[] {
    return this.withSchedule().filter((w) => !w.trigger.eventTypes.includes(SCHEDULE_EVENT_TYPE));
  }

  private withSchedule(): WorkflowDefinition[] {
    const ids = new Set(this.workflows.all().map((w) => w.id));
    return [...ids]
      .map((id) => this.workflows.latest(id)!)
      .filter((workflow) => workflow.trigger.schedule !== undefined);
  }

  /** Fires what is due at `now` (the clock's time by default); one failing workflow does not stop the others. */
  async execute(now: Date = this.clock.now()): Promise<TickOutcome[]> {
    const outcomes: TickOutcome[] = [];
    for (const workflow of this.scheduled()) {
      try {
        const lastFired = await this.lastFired(workflow.id);
        const ticks = dueTicks(parseCron(workflow.trigger.schedule!), {
          now,
          lastFired,
          catchUpMinutes: this.config.catchUpMinutes,
        });
        for (const tick of ticks) outcomes.push(await this.fire(workflow, tick, now));
      } catch (error) {
        this.logger.error(
          { err: error, workflowId: workflow.id },
          'firing scheduled ticks failed; retried on the next tick',
        );
      }
    }
    return outcomes;
  }

  private async lastFired(workflowId: string): Promise<Date | undefined> {
    const rows: Array<{ last: Date | null }> = await this.dataSource.query(
      'SELECT max(tick) AS last FROM schedule_ticks WHERE workflow_id = $1',
      [workflowId],
    );
    return rows[0]?.last ?? undefined;
  }

  private fire(workflow: WorkflowDefinition, tick: Date, now: Date): Promise<TickOutcome> {
    const at = tick.toISOString();
    const base = { workflowId: workflow.id, tick: at };
    return this.runtime.transaction(async (tx) => {
      const claimed: unknown[] = await tx.manager.query(
        `INSERT INTO schedule_ticks (workflow_id, tick, workflow_version) VALUES ($1, $2, $3)
         ON CONFLICT DO NOTHING RETURNING tick`,
        [workflow.id, tick, workflow.version],
      );
      if (claimed.length === 0) return { ...base, outcome: 'claimed-elsewhere' as const };

      const event: TriggerEvent = {
        schemaVersion: 1,
        idempotencyKey: `schedule:${workflow.id}:${at}`,
        workflowId: workflow.id,
        workflowVersion: workflow.version,
        tenantId: this.config.tenant,
        eventType: SCHEDULE_EVENT_TYPE,
        source: SCHEDULE_SOURCE,
        data: { tick: at },
      };
      try {
        const run = await this.startRun.execute(event, tx, now);
        if (isIgnored(run)) {
          // The tick is spent like a refused one (it would be ignored again), with the reason.
          await tx.manager.query(
            'UPDATE schedule_ticks SET refused = $3 WHERE workflow_id = $1 AND tick = $2',
            [workflow.id, tick, `ignored: ${run.reason}`],
          );
          return { ...base, outcome: 'ignored' as const, reason: run.reason };
        }
        await tx.manager.query(
          'UPDATE schedule_ticks SET run_id = $3 WHERE workflow_id = $1 AND tick = $2',
          [workflow.id, tick, run.runId],
        );
        this.logger.info(
          { workflowId: workflow.id, tick: at, runId: run.runId, duplicate: run.duplicate },
          'scheduled run started',
        );
        return { ...base, outcome: 'started' as const, runId: run.runId };
      } catch (error) {
        // The workflow refuses the event (it requires data a tick does not have): it would
        // refuse it again, so the tick is spent, with the reason.
        if (!(error instanceof TriggerException)) throw error;
        await tx.manager.query(
          'UPDATE schedule_ticks SET refused = $3 WHERE workflow_id = $1 AND tick = $2',
          [workflow.id, tick, `${error.code}: ${error.problems.join('; ')}`],
        );
        this.logger.error(
          { workflowId: workflow.id, tick: at, code: error.code, problems: error.problems },
          'scheduled run refused by its workflow',
        );
        return { ...base, outcome: 'refused' as const, reason: error.message };
      }
    }, 'baton.schedule.fire');
  }
}
