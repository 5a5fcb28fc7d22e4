import { Injectable } from '@nestjs/common';
import type { EffectRecord } from '@baton/contracts';
import { EffectLedger } from '@baton/effects';
import type { EntityManager } from 'typeorm';

/**
 * Keeps the escalation service's copy of the effect ledger from the effects topic, so a
 * reviewer's approval is checked against the workflow's effect limits when it is made (the
 * action service's check, on its own ledger, is the atomic one).
 */
@Injectable()
export class RecordEffectUseCase {
  constructor(private readonly ledger: EffectLedger) {}

  execute(effect: EffectRecord, manager: EntityManager): Promise<void> {
    return this.ledger.record(manager, effect);
  }
}
