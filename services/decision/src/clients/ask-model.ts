import type { DecisionRecord } from '@baton/contracts';
import type { ModelSpec } from '@baton/workflow';
import { argsCheckOf } from '../domain/args-schema.js';
import type { ModelGateway, ModelReply, ModelRequest } from './model-gateway.js';
import type { ModelAdmission } from './model-admission.js';
import { parseModelOutput } from '../domain/model-output.js';

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
  /** Set when a call was not made because it could have crossed the run's budget. */
  budget?: string;
  calls: ModelCall[];
  /** What went wrong, per failed attempt, in order ("invalid JSON", "HTTP 500", "timed out"). */
  problems: string[];
  tokens: number;
  costUsd: number;
}

/** What the run may still spend on the model. */
export interface ModelBudget {
  tokensLeft: number;
  costLeftUsd: number;
}

export const DEFAULT_MAX_OUTPUT_TOKENS = 1024;

/**
 * What one call may use at most, as Baton reserves it: the prompt (messages and answer schema)
 * estimated at a token per two bytes of UTF-8 — above what tokenizers make of English and other
 * European languages (about four bytes a token) and of Chinese or Japanese (about three) — plus
 * the reply's cap. After a first call the provider's own count of the same prompt is used.
 */
export function worstCaseTokens(
  request: Pick<ModelRequest, 'messages' | 'schema'>,
  maxOutputTokens: number,
  promptTokens?: number,
): number {
  const bytes =
    Buffer.byteLength(JSON.stringify(request.messages), 'utf8') +
    Buffer.byteLength(JSON.stringify(request.schema), 'utf8');
  return (promptTokens ?? Math.ceil(bytes / 2)) + maxOutputTokens;
}

/** How a call gets to the provider: past its admission (per-model limits), and when to give up. */
export interface AskOptions {
  /** Per-model limits; each call waits here for its turn (no limit without one). */
  admission?: ModelAdmission;
  /** Aborts a wait for admission (shutdown): askModel then rejects, no call having been made. */
  signal?: AbortSignal;
  clock?: () => number;
}

/**
 * Asks the model for a decision: one try plus up to `maxInvalidOutputs` more when the answer
 * is invalid or the endpoint fails transiently. Every call is reported, failed ones too.
 * Before each call the worst case it could use is reserved from what the run has left: a call
 * that could cross the token or cost budget is not made (`budget` says why). Each call then
 * waits for admission to its model, counted at that worst case until it returns.
 */
export async function askModel(
  gateway: ModelGateway,
  spec: ModelSpec,
  request: Omit<ModelRequest, 'model' | 'temperature' | 'maxOutputTokens'>,
  budget: ModelBudget,
  { admission, signal, clock = () => performance.now() }: AskOptions = {},
): Promise<ModelAnswer> {
  const answer: ModelAnswer = { calls: [], problems: [], tokens: 0, costUsd: 0 };
  const attempts = spec.maxInvalidOutputs + 1;
  const maxOutputTokens = spec.maxOutputTokens ?? DEFAULT_MAX_OUTPUT_TOKENS;
  let counted: number | undefined;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const reserve = worstCaseTokens(request, maxOutputTokens, counted);
    const reserveUsd = (reserve / 1000) * spec.costPer1kTokensUsd;
    const tokensLeft = budget.tokensLeft - answer.tokens;
    const costLeft = budget.costLeftUsd - answer.costUsd;
    if (reserve > tokensLeft || reserveUsd > costLeft + 1e-12) {
      answer.budget =
        reserve > tokensLeft
          ? `budget: the next model call could use ${reserve} tokens and the run has ${tokensLeft} left; it was not made`
          : `budget: the next model call could cost $${Number(reserveUsd.toPrecision(3))} and the run has $${Number(Math.max(0, costLeft).toPrecision(3))} left; it was not made`;
      break;
    }
    const permit = await admission?.admit(spec.name, reserve, signal);
    const started = clock();
    let reply: ModelReply;
    try {
      reply = await gateway.complete({
        ...request,
        model: spec.name,
        temperature: spec.temperature,
        maxOutputTokens,
        costPer1kTokensUsd: spec.costPer1kTokensUsd,
      });
    } catch (error) {
      permit?.settle(0);
      throw error;
    }
    // What the provider counted replaces the reservation (a failed call counts nothing).
    permit?.settle(reply.ok ? reply.promptTokens + reply.completionTokens : 0);
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
    if (reply.promptTokens > 0) counted = reply.promptTokens;
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
