import { Inject, Injectable } from '@nestjs/common';
import {
  decodeTriggerEvent,
  firstStep,
  runEventFor,
  triggerEventDigest,
  uuidv7,
} from '@baton/contracts';
import { Routes, type MessagingRuntime, type OutboxTransaction } from '@baton/messaging';
import { CLOCK, LOGGER, MESSAGING_RUNTIME, WORKFLOWS, type Clock } from '@baton/service-kit';
import type { Logger } from '@baton/telemetry';
import {
  describeFailure,
  firstFailing,
  getPath,
  type WorkflowCatalog,
  type WorkflowDefinition,
} from '@baton/workflow';
import { BacktestConfig } from '../../config/backtest.config.js';
import { Backtests, type PendingBacktestRun } from '../../store/backtests.repository.js';
import { RunLedger } from '../../store/run-ledger.repository.js';

/**
 * Starts the next backtest runs, at most BATON_BACKTEST_MAX_IN_FLIGHT under way at once across
 * every backtest and trigger instance (an advisory lock makes the count and the starts one
 * step). Each replays the original run's recorded trigger event against the backtest's
 * version: a run of its own (a new id and idempotency key, no dedup key, so it never joins or
 * blocks a live event), marked with the backtest id on every envelope — its writes are
 * simulated, it enters no effect ledger, and it stops where it would ask a person. An event
 * the version would not start (another event type, its filters, missing data) is recorded as
 * not started, with the reason.
 */
@Injectable()
export class RunBacktestsUseCase {
  constructor(
    @Inject(WORKFLOWS) private readonly workflows: WorkflowCatalog,
    @Inject(MESSAGING_RUNTIME) private readonly runtime: MessagingRuntime,
    @Inject(BacktestConfig) private readonly config: Pick<BacktestConfig, 'maxInFlight'>,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly routes: Routes,
    private readonly backtests: Backtests,
    private readonly ledger: RunLedger,
  ) {}

  /** Starts what the in-flight bound allows; the number of runs started (or found unstartable). */
  async execute(): Promise<number> {
    return this.runtime.transaction(async (tx) => {
      await this.backtests.lockStarts(tx.manager);
      const free = this.config.maxInFlight - (await this.backtests.inFlight(tx.manager));
      if (free <= 0) return 0;
      const pending = await this.backtests.pending(tx.manager, free);
      for (const run of pending) await this.start(run, tx);
      return pending.length;
    }, 'baton.backtests.start');
  }

  private async start(pending: PendingBacktestRun, tx: OutboxTransaction): Promise<void> {
    const now = this.clock.now();
    const pair = { backtestId: pending.backtest_id, sourceRunId: pending.source_run_id };
    const workflow = this.workflows.get(pending.workflow_id, pending.version);
    if (!workflow) {
      // Published moments ago through another instance: this one has not caught up yet. The
      // run stays pending for the next tick (here or on another instance).
      this.logger.warn(
        {
          backtestId: pending.backtest_id,
          workflowId: pending.workflow_id,
          version: pending.version,
        },
        'the backtest version is not in this instance catalog yet',
      );
      return;
    }
    const decoded = decodeTriggerEvent(pending.trigger);
    const refusal = !decoded.ok
      ? `the recorded trigger does not decode: ${decoded.errors[0]}`
      : this.refusal(decoded.value, workflow);
    if (refusal || !decoded.ok) {
      await this.backtests.started(tx.manager, pair, {
        notStarted: refusal ?? 'not started',
        at: now,
      });
      return;
    }
    const event = decoded.value;
    const runId = uuidv7(now.getTime());
    const idempotencyKey = `backtest:${pending.backtest_id}:${pending.source_run_id}`;
    // The recorded event, as the candidate version sees it: reads run against today's data.
    const trigger = {
      eventType: event.eventType,
      idempotencyKey: event.idempotencyKey,
      ...(event.source ? { source: event.source } : {}),
      data: event.data,
      receivedAt: now.toISOString(),
    };
    await this.ledger.insert(tx.manager, {
      id: runId,
      tenantId: event.tenantId,
      idempotencyKey,
      workflow: { id: workflow.id, version: workflow.version },
      eventType: event.eventType,
      source: event.source ?? null,
      trigger: { ...event, workflowVersion: workflow.version },
      digest: triggerEventDigest(event),
      dedupKey: null,
      traceId: null,
      backtestId: pending.backtest_id,
    });
    await this.backtests.started(tx.manager, pair, { runId, at: now });
    const envelope = firstStep(
      {
        runId,
        workflow: { id: workflow.id, version: workflow.version },
        tenantId: event.tenantId,
        causationId: `trigger:${event.tenantId}:${idempotencyKey}`,
        deadline: new Date(now.getTime() + workflow.limits.deadlineMinutes * 60_000),
        budget: {
          stepsLeft: workflow.limits.maxSteps,
          tokensLeft: workflow.limits.maxTokens,
          costLeftUsd: workflow.limits.maxCostUsd,
        },
        backtestId: pending.backtest_id,
      },
      { name: 'gather-context', kind: 'context' },
      { kind: 'context', trigger },
      now,
    );
    tx.emit(this.routes.get('run.events'), runEventFor(envelope, { type: 'run.started' }, now));
    tx.emit(this.routes.step('context'), envelope);
    this.logger.debug(
      { backtestId: pending.backtest_id, runId, sourceRunId: pending.source_run_id },
      'backtest run started',
    );
  }

  /** Why the version would not start a run for this event; undefined when it would. */
  private refusal(
    event: { eventType: string; data: Record<string, unknown> } & object,
    workflow: WorkflowDefinition,
  ): string | undefined {
    if (!workflow.trigger.eventTypes.includes(event.eventType))
      return `eventType: ${workflow.id}@${workflow.version} does not start on ${event.eventType}`;
    const failed = firstFailing(workflow.trigger.filters ?? [], { trigger: event });
    if (failed)
      return `trigger.filters.${failed.index} did not hold: ${describeFailure(failed, 'the event')}`;
    const missing = (workflow.trigger.required ?? []).filter((path) => {
      const value = getPath(event.data, path);
      return value === undefined || value === null || value === '';
    });
    return missing.length ? `data: ${workflow.id} needs ${missing.join(', ')}` : undefined;
  }
}
