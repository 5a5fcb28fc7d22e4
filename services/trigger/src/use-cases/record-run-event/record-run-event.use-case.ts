import { Injectable } from '@nestjs/common';
import type { RunEvent } from '@baton/contracts';
import { Routes, type OutboxTransaction } from '@baton/messaging';
import { RunLedger } from '../../store/run-ledger.repository.js';

/**
 * Keeps the run ledger from the run-events topic: steps with their input, output, timing and
 * outcome, and the run's status. A terminal status is final: later events do not reopen it
 * (the ledger's rule). Every `run.ended` is relayed, in the same transaction, to the run-ended
 * topic the step services follow, so each learns that a run ended without reading every run
 * event.
 */
@Injectable()
export class RecordRunEventUseCase {
  constructor(
    private readonly routes: Routes,
    private readonly ledger: RunLedger,
  ) {}

  async execute(event: RunEvent, tx: OutboxTransaction): Promise<void> {
    const { manager } = tx;
    switch (event.type) {
      case 'run.started':
        // The trigger service created the row when it started the run.
        return;
      case 'step.finished':
        if (event.step)
          await this.ledger.recordStep(manager, event.runId, event.step, event.createdAt);
        return;
      case 'run.waiting':
        await this.ledger.move(manager, event.runId, 'wait', event.reason ?? null, event.createdAt);
        // The wait does not count against the run's deadline (see the run deadline sweeper).
        await this.ledger.startWaiting(manager, event.runId, event.createdAt);
        return;
      case 'run.resumed':
        await this.ledger.stopWaiting(manager, event.runId, event.createdAt);
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
