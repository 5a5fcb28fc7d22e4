import { Injectable } from '@nestjs/common';
import { EndedRuns } from '@baton/service-kit';
import type { DataSource, EntityManager } from 'typeorm';
import type { ModelAnswer } from '../clients/ask-model.js';
import { ModelCallsRepository, type ModelCallSite } from './model-calls.repository.js';

/**
 * The decision service's `model_answers`: the model's answer per decision envelope, between the
 * call (made outside any transaction) and the step's transaction that acts on it. Recording it
 * with its calls is the one short transaction a model-asking decision adds.
 */
@Injectable()
export class ModelAnswersRepository {
  constructor(private readonly calls: ModelCallsRepository) {}

  /**
   * The look-up a decision makes before it asks the model, as one SELECT of one row (for
   * PrepareContext.alreadyHandledAnd): the answer an earlier attempt at this envelope recorded
   * (`answer`, null if none) and whether the run has ended (`ended`; unlocked, a first look).
   */
  beforeAsking(envelopeId: string, runId: string): { sql: string; params: unknown[] } {
    return {
      sql: `SELECT (SELECT answer FROM model_answers WHERE envelope_id = $1) AS answer,
                   ${EndedRuns.endedExpression('$2')} AS ended`,
      params: [envelopeId, runId],
    };
  }

  /**
   * Records an answer and the calls that made it, in a short transaction of its own. Another
   * delivery of the envelope (another instance, after a rebalance) may have recorded one first:
   * that one is kept and returned, so every delivery acts on the same answer; these calls are
   * recorded all the same, since they were made.
   */
  async record(
    dataSource: DataSource,
    site: ModelCallSite,
    answer: ModelAnswer,
  ): Promise<ModelAnswer> {
    return dataSource.transaction(async (manager) => {
      await this.calls.record(manager, site, answer.calls);
      const inserted: unknown[] = await manager.query(
        `INSERT INTO model_answers (envelope_id, run_id, step_seq, answer) VALUES ($1, $2, $3, $4)
         ON CONFLICT (envelope_id) DO NOTHING RETURNING 1`,
        [site.envelopeId, site.runId, site.stepSeq, JSON.stringify(answer)],
      );
      if (inserted.length === 1) return answer;
      const rows: Array<{ answer: ModelAnswer }> = await manager.query(
        'SELECT answer FROM model_answers WHERE envelope_id = $1',
        [site.envelopeId],
      );
      return rows[0]?.answer ?? answer;
    });
  }

  /** Forgets an answer, in the step's transaction that applied it. */
  async applied(manager: EntityManager, envelopeId: string): Promise<void> {
    await manager.query('DELETE FROM model_answers WHERE envelope_id = $1', [envelopeId]);
  }
}
