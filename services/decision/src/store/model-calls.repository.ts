import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { ModelCall } from '../clients/ask-model.js';

/** Where a model call was made: the run, the envelope and the step it decided. */
export interface ModelCallSite {
  runId: string;
  envelopeId: string;
  stepSeq: number;
}

/**
 * The decision service's `model_calls`: every call to the model provider (model, tokens,
 * latency, cost, outcome), written with the answer they made (ModelAnswersRepository.record)
 * right after the calls, so a retried or redelivered step that finds that answer asks, and
 * records, nothing twice.
 */
@Injectable()
export class ModelCallsRepository {
  async record(manager: EntityManager, site: ModelCallSite, calls: ModelCall[]): Promise<void> {
    for (const call of calls) {
      await manager.query(
        `INSERT INTO model_calls (run_id, envelope_id, step_seq, attempt, model, prompt_tokens,
           completion_tokens, latency_ms, cost_usd, outcome, problem)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
        [
          site.runId,
          site.envelopeId,
          site.stepSeq,
          call.attempt,
          call.model,
          call.promptTokens,
          call.completionTokens,
          call.latencyMs,
          call.costUsd,
          call.outcome,
          call.problem ?? null,
        ],
      );
    }
  }
}
