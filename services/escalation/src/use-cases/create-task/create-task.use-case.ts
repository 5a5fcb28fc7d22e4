import { Inject, Injectable } from '@nestjs/common';
import { clipReason, runEventFor, stepFinished, uuidv7, type StepEnvelope } from '@baton/contracts';
import { Routes, type OutboxTransaction } from '@baton/messaging';
import {
  CLOCK,
  EndedRuns,
  endRunIfOutOfBudget,
  WORKFLOWS,
  workflowFor,
  type Clock,
} from '@baton/service-kit';
import type { WorkflowCatalog } from '@baton/workflow';
import { highlightsOf } from '../../domain/highlights.js';
import { closedReason } from '../../domain/task.js';
import { TaskStore } from '../../store/task-store.js';

export interface CreatedTask {
  taskId: string;
  queue: string;
  /** False when the envelope already had its task (nothing was emitted again). */
  created: boolean;
}

/**
 * Turns an escalation envelope into a review task in the workflow's queue, with its SLA and
 * the values its `escalation.show` puts first for the reviewer (`highlights`), and
 * tells the run ledger the run waits for review (`run.waiting` and the step's `step.finished`).
 * An escalation of a run that has already ended makes a closed task and no `run.waiting`; one
 * of a run with no step left or past its deadline makes none and ends the run (undefined).
 */
@Injectable()
export class CreateTaskUseCase {
  constructor(
    @Inject(WORKFLOWS) private readonly workflows: WorkflowCatalog,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly routes: Routes,
    private readonly endedRuns: EndedRuns,
    private readonly tasks: TaskStore,
  ) {}

  async execute(
    envelope: StepEnvelope<'escalation'>,
    tx: OutboxTransaction,
  ): Promise<CreatedTask | undefined> {
    const startedAt = this.clock.now();
    const workflow = workflowFor(this.workflows, envelope);
    // A task whose approval could not run (no step left, past the deadline) is not opened.
    if (endRunIfOutOfBudget(envelope, tx, this.routes, startedAt)) return undefined;
    if (envelope.backtestId) {
      this.stopBacktestRun(envelope, tx, startedAt);
      return undefined;
    }
    const queue = workflow.escalation.queue;
    const taskId = await this.tasks.insert(tx.manager, {
      id: uuidv7(startedAt.getTime()),
      envelope,
      queue,
      createdAt: startedAt,
      slaDueAt: new Date(startedAt.getTime() + workflow.escalation.slaMinutes * 60_000),
      highlights: highlightsOf(workflow.escalation.show, envelope),
    });
    if (!taskId) {
      const existing = await this.tasks.findBySource(tx.manager, envelope.envelopeId);
      return { taskId: existing!.id, queue: existing!.queue, created: false };
    }

    const { reason, decision } = envelope.payload;
    const events = this.routes.get('run.events');
    const now = this.clock.now();
    const input = {
      reason,
      ...(decision ? { proposal: { label: decision.label, tool: decision.tool } } : {}),
    };
    // The run ended before its escalation arrived: the task is kept, closed; the run does not wait.
    const ended = await this.endedRuns.find(tx.manager, envelope.runId);
    if (ended) {
      const closed = closedReason(ended);
      await this.tasks.closeOfRun(tx.manager, envelope.runId, closed, now);
      tx.emit(
        events,
        stepFinished(
          envelope,
          {
            outcome: 'run-ended',
            startedAt,
            input,
            output: { taskId, queue, reason, status: ended.status, closedReason: closed },
          },
          now,
        ),
      );
      return { taskId, queue, created: true };
    }
    tx.emit(events, runEventFor(envelope, { type: 'run.waiting', reason }, now));
    tx.emit(
      events,
      stepFinished(
        envelope,
        { outcome: 'task-created', startedAt, input, output: { taskId, queue, reason } },
        now,
      ),
    );
    return { taskId, queue, created: true };
  }

  /**
   * A backtest run never asks a person: it stops where it would have, records what it would
   * have asked about (the reason and the proposal, for the backtest's report) and ends
   * `cancelled`. No task, so no reviewer is notified and no SLA runs.
   */
  private stopBacktestRun(
    envelope: StepEnvelope<'escalation'>,
    tx: OutboxTransaction,
    startedAt: Date,
  ): void {
    const { reason, decision } = envelope.payload;
    const events = this.routes.get('run.events');
    const now = this.clock.now();
    const proposal = decision?.tool
      ? { tool: decision.tool, args: decision.args ?? {}, label: decision.label }
      : null;
    tx.emit(events, runEventFor(envelope, { type: 'run.waiting', reason }, now));
    tx.emit(
      events,
      stepFinished(
        envelope,
        { outcome: 'backtest-stopped', startedAt, input: { reason }, output: { reason, proposal } },
        now,
      ),
    );
    tx.emit(
      events,
      runEventFor(
        envelope,
        {
          type: 'run.ended',
          status: 'cancelled',
          reason: clipReason(`backtest: would ask a person: ${reason}`),
        },
        now,
      ),
    );
  }
}
