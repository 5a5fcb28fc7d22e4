import { Injectable } from '@nestjs/common';
import { Equals, IsString } from 'class-validator';
import { runEventFor } from '@baton/contracts';
import { Routes, type OutboxTransaction } from '@baton/messaging';
import { TriggerErrorCode, TriggerError } from '../../domain/trigger-error.js';
import { mayMove } from '../../domain/run-status.js';
import { RunLedger } from '../../store/run-ledger.repository.js';

/** What `POST /v1/runs/{id}/cancel` answers. */
export class CancelledRun {
  @IsString() runId!: string;
  @Equals('cancelled') status!: 'cancelled';
  /** `cancelled by <key name>: <the reason given>`. */
  @IsString() reason!: string;
}

/**
 * Cancels a run that has not ended: the ledger says `cancelled` with the reason at once, and
 * `run.ended` tells the other services, which stop the run at its next decision and close its
 * open review tasks. A step already under way finishes; nothing after it is sent on.
 */
@Injectable()
export class CancelRunUseCase {
  constructor(
    private readonly routes: Routes,
    private readonly ledger: RunLedger,
  ) {}

  async execute(
    runId: string,
    reason: string,
    by: string,
    tx: OutboxTransaction,
    now: Date = new Date(),
  ): Promise<CancelledRun> {
    const run = await this.ledger.lock(tx.manager, runId);
    if (!run) throw new TriggerError(TriggerErrorCode.RunNotFound, `no run ${runId}`);
    if (!mayMove(run.status, 'end')) {
      throw new TriggerError(
        TriggerErrorCode.RunEnded,
        `run ${runId} has already ended: ${run.status}`,
      );
    }
    const fullReason = `cancelled by ${by}: ${reason}`;
    await this.ledger.end(tx.manager, runId, { status: 'cancelled', reason: fullReason, at: now });
    tx.emit(
      this.routes.get('run.events'),
      runEventFor(
        {
          runId,
          workflow: { id: run.workflow_id, version: run.workflow_version },
          tenantId: run.tenant_id,
        },
        { type: 'run.ended', status: 'cancelled', reason: fullReason },
        now,
      ),
    );
    return { runId, status: 'cancelled', reason: fullReason };
  }
}
