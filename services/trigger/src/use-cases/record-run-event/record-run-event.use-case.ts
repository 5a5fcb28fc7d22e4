import { Injectable } from '@nestjs/common';
import type { RunEvent } from '@baton/contracts';
import { Routes, type HandlerContext } from '@baton/messaging';
import { RunLedger, type StepReport } from '../../store/run-ledger.repository.js';

/** What the use case needs of its transaction. */
export type RunEventTransaction = Pick<HandlerContext, 'manager' | 'emit' | 'batch'>;

/**
 * Keeps the run ledger from the run-events topic: steps with their input, output, timing and
 * outcome, and the run's status. A terminal status is final: later events do not reopen it
 * (the ledger's rule). Every `run.ended` is relayed, in the same transaction, to the run-ended
 * topic the step services follow, so each learns that a run ended without reading every run
 * event.
 *
 * Step reports, most of a run's events, are not written one by one: they join the
 * transaction's batch, written once for every message sharing the transaction (group commit) —
 * one statement: a multi-row INSERT with one UPDATE of the runs (RunLedger.recordSteps). The records of one
 * run are never in one group, so a run's order holds; status moves stay one statement each.
 */
@Injectable()
export class RecordRunEventUseCase {
  constructor(
    private readonly routes: Routes,
    private readonly ledger: RunLedger,
  ) {}

  async execute(event: RunEvent, tx: RunEventTransaction): Promise<void> {
    const { manager } = tx;
    switch (event.type) {
      case 'run.started':
        // The trigger service created the row when it started the run.
        return;
      case 'step.finished':
        if (event.step)
          tx.batch<StepReport[]>(
            'run-ledger.steps',
            () => [],
            (m, reports) => this.ledger.recordSteps(m, reports),
          ).push({ runId: event.runId, step: event.step, at: event.createdAt });
        return;
      case 'run.waiting':
        await this.ledger.move(manager, event.runId, 'wait', event.reason ?? null, event.createdAt);
        // The wait does not count against the run's deadline (see the run deadline sweeper).
        await this.ledger.startWaiting(manager, event.runId, event.createdAt, event.reason ?? null);
        return;
      case 'run.resumed':
        await this.ledger.stopWaiting(manager, event.runId, event.createdAt);
        // A person's verdict (approved, edited, rejected), for the outcome stats.
        if (event.review) await this.ledger.recordReview(manager, event.runId, event.review);
        return this.ledger.move(manager, event.runId, 'resume', null, event.createdAt);
      case 'run.ended':
        await this.ledger.end(manager, event.runId, {
          status: event.status ?? 'failed',
          reason: event.reason ?? null,
          at: event.createdAt,
        });
        // Relayed as it is, however it ended (the services keep the first end of a run).
        tx.emit(this.routes.get('run.ended'), event);
        return;
    }
  }
}
