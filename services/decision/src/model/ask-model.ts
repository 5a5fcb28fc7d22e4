import type { DecisionRecord } from '@baton/contracts';
import type { ModelSpec } from '@baton/workflow';
import { argsCheckOf } from './args-schema.js';
import type { ModelGateway, ModelRequest } from './model-gateway.js';
import { parseModelOutput } from './model-output.js';

export type ModelCallOutcome =
  | 'ok'
  | 'invalid-json'
  | 'invalid-output'
  | 'http-error'
  | 'timeout'
  | 'connection-error'
  | 'bad-response';

/** One model call, as recorded in `model_calls` and in the step output. */
export interface ModelCall {
  attempt: number;
  model: string;
  promptTokens: number;
  completionTokens: number;
  latencyMs: number;
  costUsd: number;
  outcome: ModelCallOutcome;
  problem?: string;
}

export interface ModelAnswer {
  /** The valid decision, or undefined when every attempt failed. */
  decision?: DecisionRecord;
  calls: ModelCall[];
  /** What went wrong, per failed attempt, in order ("invalid JSON", "HTTP 500", "timed out"). */
  problems: string[];
  tokens: number;
  costUsd: number;
}

/**
 * Asks the model for a decision: one try plus up to `maxInvalidOutputs` more when the answer
 * is invalid or the endpoint fails transiently. Every call is reported, failed ones too.
 */
export async function askModel(
  gateway: ModelGateway,
  spec: ModelSpec,
  request: Omit<ModelRequest, 'model' | 'temperature'>,
  clock: () => number = () => performance.now(),
): Promise<ModelAnswer> {
  const answer: ModelAnswer = { calls: [], problems: [], tokens: 0, costUsd: 0 };
  const attempts = spec.maxInvalidOutputs + 1;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const started = clock();
    const reply = await gateway.complete({
      ...request,
      model: spec.name,
      temperature: spec.temperature,
    });
    const latencyMs = Math.round(clock() - started);
    if (!reply.ok) {
      answer.calls.push({
        attempt,
        model: spec.name,
        promptTokens: 0,
        completionTokens: 0,
        latencyMs,
        costUsd: 0,
        outcome: reply.outcome,
        problem: reply.problem,
      });
      answer.problems.push(reply.problem);
      if (!reply.retryable) break;
      continue;
    }
    const tokens = reply.promptTokens + reply.completionTokens;
    const costUsd = (tokens / 1000) * spec.costPer1kTokensUsd;
    answer.tokens += tokens;
    answer.costUsd += costUsd;
    const parsed = reply.refusal
      ? ({
          ok: false,
          outcome: 'invalid-output',
          problem: `refused (${reply.refusal.slice(0, 200)})`,
        } as const)
      : parseModelOutput(reply.content, spec.labels, argsCheckOf(spec));
    answer.calls.push({
      attempt,
      model: reply.model,
      promptTokens: reply.promptTokens,
      completionTokens: reply.completionTokens,
      latencyMs,
      costUsd,
      outcome: parsed.ok ? 'ok' : parsed.outcome,
      ...(parsed.ok ? {} : { problem: parsed.problem }),
    });
    if (parsed.ok) {
      answer.decision = parsed.decision;
      return answer;
    }
    answer.problems.push(parsed.problem);
  }
  return answer;
}
