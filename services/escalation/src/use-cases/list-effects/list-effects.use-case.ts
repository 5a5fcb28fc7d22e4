import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { Type } from 'class-transformer';
import { IsArray, ValidateNested } from 'class-validator';
import { EffectLedger, LedgerRow } from '@baton/effects';
import { DATA_SOURCE } from '@baton/service-kit';
import { EscalationError, EscalationErrorCode } from '../../domain/escalation-error.js';

/** `GET /v1/effects`: the writes, as the effect limits count them. */
export class EffectsPage {
  @IsArray() @ValidateNested({ each: true }) @Type(() => LedgerRow) items!: LedgerRow[];
}

/**
 * The writes this service knows of (its copy of the effect ledger, from the effects topic):
 * those of one run, or those counted on one limit key (an invoice), for a reviewer weighing an
 * approval against what was already done, and for whoever needs to know that an approval will
 * be checked against a write.
 */
@Injectable()
export class ListEffectsUseCase {
  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    private readonly ledger: EffectLedger,
  ) {}

  async execute(query: { runId?: string; key?: string; limit?: number }): Promise<EffectsPage> {
    if (!query.runId && !query.key) {
      throw new EscalationError(
        EscalationErrorCode.FilterRequired,
        'runId or key: name the run or the limit key whose writes to list',
      );
    }
    const items = await this.ledger.list(this.dataSource.manager, {
      ...(query.runId ? { runId: query.runId } : {}),
      ...(query.key ? { key: query.key } : {}),
      limit: query.limit ?? 100,
    });
    return { items };
  }
}
