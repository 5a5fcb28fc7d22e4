import { Injectable } from '@nestjs/common';
import { TERMINAL_STATUSES, runEventFor } from '@baton/contracts';
import { Routes, type OutboxTransaction } from '@baton/messaging';
import { TriggerErrorCode, TriggerException } from '../../trigger.exception.js';

const TERMINAL = `(${TERMINAL_STATUSES.map((s) => `'${s}'`).join(', ')})`;

/**
 * Cancels a run that has not ended: the ledger says `cancelled` with the reason at once, and
 * `run.ended` tells the other services, which stop the run at its next decision and close its
 * open review tasks. A step already under way finishes; nothing after it is sent on.
 */
@Injectable()
export class CancelRunUseCase {
  constructor(private readonly routes: Routes) {}

  async execute(
    runId: string,
    reason: string,
    by: string,
    tx: OutboxTransaction,
    now: Date = new Date(),
  ) {
    const rows: Array<{
      workflow_id: string;
      workflow_version: number;
      tenant_id: string;
      status: string;
    }> = await tx.manager.query(
      'SELECT workflow_id, workflow_version, tenant_id, status FROM runs WHERE id = $1 FOR UPDATE',
      [runId],
    );
    const run = rows[0];
    if (!run) throw new TriggerException(TriggerErrorCode.RunNotFound, `no run ${runId}`);
    if ((TERMINAL_STATUSES as readonly string[]).includes(run.status)) {
      throw new TriggerException(
        TriggerErrorCode.RunEnded,
        `run ${runId} has already ended: ${run.status}`,
      );
    }
    const fullReason = `cancelled by ${by}: ${reason}`;
    await tx.manager.query(
      `UPDATE runs SET status = 'cancelled', reason = $2, updated_at = $3, ended_at = $3 WHERE id = $1 AND status NOT IN ${TERMINAL}`,
      [runId, fullReason, now],
    );
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
