import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { TriggerEvent } from '@baton/contracts';
import type { MessagingRuntime, OutboxTransaction } from '@baton/messaging';
import { DATA_SOURCE, LOGGER, MESSAGING_RUNTIME, WORKFLOWS } from '@baton/service-kit';
import type { Logger } from '@baton/telemetry';
import { parseCron, type WorkflowCatalog, type WorkflowDefinition } from '@baton/workflow';
import { CLOCK, type Clock } from '@baton/service-kit';
import { ScheduleConfig } from '../../config/schedule.config.js';
import { TriggerError } from '../../domain/trigger-error.js';
import { StartRunUseCase, isIgnored } from '../start-run/start-run.use-case.js';
import { planTicks, type TickPlan } from './due-ticks.js';
import { ScheduleTicks } from '../../store/schedule-ticks.repository.js';

/** The event type of a scheduled run's trigger: a workflow lists it to be started by its schedule. */
export const SCHEDULE_EVENT_TYPE = 'schedule.tick';
export const SCHEDULE_SOURCE = 'baton-scheduler';

/** What happened to one due tick (or to a run of skipped ones) on this instance. */
export interface TickOutcome {
  workflowId: string;
  tick: string;
  /**
   * `started`: this instance claimed the tick and started its run; `claimed-elsewhere`: another
   * instance had (nothing done here); `refused`: claimed, but the workflow refused the event;
   * `ignored`: claimed, but the workflow's `trigger.filters` did not hold for it; `skipped`:
   * due ticks beyond the catch-up cap or window, not fired — `skipped` of them, from
   * `skippedFrom` to `tick` — recorded as one row.
   */
  outcome: 'started' | 'claimed-elsewhere' | 'refused' | 'ignored' | 'skipped';
  runId?: string;
  reason?: string;
  /** `refused`: what the workflow found wrong with the tick's event. */
  problems?: string[];
  /** `skipped`: how many due ticks were not fired. */
  skipped?: number;
  /** `skipped`: the oldest of them (`tick` is the most recent). */
  skippedFrom?: string;
}

/**
 * Fires the due ticks of every scheduled workflow (the latest version of each id with a
 * `trigger.schedule`). A schedule counts from when the scheduler first saw that version
 * (`schedule_versions`): a new schedule never fires ticks from before it existed. After
 * downtime at most `BATON_SCHEDULE_MAX_CATCH_UP` ticks fire, the most recent within
 * `BATON_SCHEDULE_CATCH_UP_MINUTES`; the older due ones are recorded as one skipped row and
 * logged. Per workflow, one transaction holds an advisory lock on the workflow, reads the last
 * recorded tick and records each tick in `schedule_ticks` (primary key: workflow and tick),
 * starting its run in the same transaction: so concurrent instances fire a tick once, and agree
 * on what they skipped.
 */
@Injectable()
export class FireSchedulesUseCase {
  /** When each `<id>@<version>` was first seen: recorded once, never changes. */
  private readonly firstSeenAt = new Map<string, Date>();

  constructor(
    @Inject(WORKFLOWS) private readonly workflows: WorkflowCatalog,
    @Inject(MESSAGING_RUNTIME) private readonly runtime: MessagingRuntime,
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(ScheduleConfig) private readonly config: ScheduleConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly startRun: StartRunUseCase,
    private readonly ticks: ScheduleTicks,
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
        outcomes.push(...(await this.fireWorkflow(workflow, now)));
      } catch (error) {
        this.logger.error(
          { err: error, workflowId: workflow.id },
          'firing scheduled ticks failed; retried on the next tick',
        );
      }
    }
    return outcomes;
  }

  private async fireWorkflow(workflow: WorkflowDefinition, now: Date): Promise<TickOutcome[]> {
    const schedule = parseCron(workflow.trigger.schedule!);
    const firstSeen = await this.firstSeen(workflow, now);
    const plan = (lastFired: Date | undefined): TickPlan =>
      planTicks(schedule, {
        now,
        lastFired,
        firstSeen,
        catchUpMinutes: this.config.catchUpMinutes,
        maxCatchUp: this.config.maxCatchUp,
      });
    // A look without the lock first: most passes find nothing due and open no transaction.
    const looked = plan(await this.ticks.lastTick(this.dataSource.manager, workflow.id));
    if (looked.fire.length === 0 && !looked.skipped) return [];

    const outcomes = await this.runtime.transaction(async (tx) => {
      await this.ticks.lock(tx.manager, workflow.id);
      const lastFired = await this.ticks.lastTick(tx.manager, workflow.id);
      const due = plan(lastFired);
      // What another instance recorded between the look and the lock.
      const result: TickOutcome[] = looked.fire
        .filter((tick) => lastFired !== undefined && tick <= lastFired)
        .map((tick) => ({
          workflowId: workflow.id,
          tick: tick.toISOString(),
          outcome: 'claimed-elsewhere' as const,
        }));
      if (due.skipped) result.push(await this.recordSkipped(tx, workflow, due));
      for (const tick of due.fire) result.push(await this.fire(tx, workflow, tick, now));
      return result;
    }, 'baton.schedule.fire');
    for (const outcome of outcomes) this.log(workflow, outcome);
    return outcomes;
  }

  /**
   * When the scheduler first saw this version with its schedule: recorded by the first
   * instance to look (with its clock's `now`), read by every other.
   */
  private async firstSeen(workflow: WorkflowDefinition, now: Date): Promise<Date> {
    const key = `${workflow.id}@${workflow.version}`;
    const known = this.firstSeenAt.get(key);
    if (known) return known;
    const firstSeen = await this.ticks.firstSeen(
      this.dataSource.manager,
      { id: workflow.id, version: workflow.version, schedule: workflow.trigger.schedule },
      now,
    );
    this.firstSeenAt.set(key, firstSeen);
    return firstSeen;
  }

  /** One row for the due ticks not fired, at the most recent of them. */
  private async recordSkipped(
    tx: OutboxTransaction,
    workflow: WorkflowDefinition,
    plan: TickPlan,
  ): Promise<TickOutcome> {
    const { count, from, until } = plan.skipped!;
    await this.ticks.recordSkipped(tx.manager, workflow, { count, from, until });
    return {
      workflowId: workflow.id,
      tick: until.toISOString(),
      outcome: 'skipped',
      skipped: count,
      skippedFrom: from.toISOString(),
    };
  }

  private async fire(
    tx: OutboxTransaction,
    workflow: WorkflowDefinition,
    tick: Date,
    now: Date,
  ): Promise<TickOutcome> {
    const at = tick.toISOString();
    const base = { workflowId: workflow.id, tick: at };
    if (!(await this.ticks.claim(tx.manager, workflow, tick)))
      return { ...base, outcome: 'claimed-elsewhere' };

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
        await this.ticks.refused(tx.manager, workflow.id, tick, `ignored: ${run.reason}`);
        return { ...base, outcome: 'ignored', reason: run.reason };
      }
      await this.ticks.started(tx.manager, workflow.id, tick, run.runId);
      return { ...base, outcome: 'started', runId: run.runId };
    } catch (error) {
      // The workflow refuses the event (it requires data a tick does not have): it would
      // refuse it again, so the tick is spent, with the reason.
      if (!(error instanceof TriggerError)) throw error;
      await this.ticks.refused(
        tx.manager,
        workflow.id,
        tick,
        `${error.code}: ${error.problems.join('; ')}`,
      );
      return { ...base, outcome: 'refused', reason: error.message, problems: error.problems };
    }
  }

  /** Logged once the ticks' transaction committed, so nothing is said of what rolled back. */
  private log(workflow: WorkflowDefinition, outcome: TickOutcome): void {
    const fields = {
      workflowId: workflow.id,
      workflowVersion: workflow.version,
      tick: outcome.tick,
    };
    switch (outcome.outcome) {
      case 'started':
        this.logger.info({ ...fields, runId: outcome.runId }, 'scheduled run started');
        return;
      case 'refused':
        this.logger.error(
          { ...fields, reason: outcome.reason, problems: outcome.problems },
          'scheduled run refused by its workflow',
        );
        return;
      case 'skipped':
        this.logger.warn(
          {
            ...fields,
            skipped: outcome.skipped,
            from: outcome.skippedFrom,
            until: outcome.tick,
            maxCatchUp: this.config.maxCatchUp,
            catchUpMinutes: this.config.catchUpMinutes,
          },
          `schedule of ${workflow.id} skipped ${outcome.skipped} due ticks from ${outcome.skippedFrom} to ${outcome.tick}: catch-up fires at most BATON_SCHEDULE_MAX_CATCH_UP (${this.config.maxCatchUp}) ticks, none older than BATON_SCHEDULE_CATCH_UP_MINUTES (${this.config.catchUpMinutes})`,
        );
        return;
      case 'ignored':
      case 'claimed-elsewhere':
        return;
    }
  }
}
