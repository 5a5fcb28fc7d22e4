import { APIConnectionError, APIConnectionTimeoutError, APIError, OpenAI } from 'openai';
import type { DecisionConfig } from '../config/decision.config.js';
import type { PromptMessage } from '../domain/decision-prompt.js';

export interface ModelRequest {
  model: string;
  temperature: number;
  messages: PromptMessage[];
  schema: Record<string, unknown>;
  /** The most the reply may use (`max_tokens`). */
  maxOutputTokens?: number;
  /**
   * The run and step asking, sent as the headers `x-baton-run-id` and `x-baton-step-seq`: a
   * provider's request log (or `baton cases`' scripted model) can tell the runs apart.
   */
  caller?: { runId: string; stepSeq: number };
}

/** One call's result: an answer to validate, or a failure with what went wrong. */
export type ModelReply =
  | {
      ok: true;
      model: string;
      content: string | null;
      refusal: string | null;
      promptTokens: number;
      completionTokens: number;
    }
  | {
      ok: false;
      outcome: 'http-error' | 'timeout' | 'connection-error' | 'bad-response';
      problem: string;
      /** False when trying again cannot help (a rejected key, a bad request). */
      retryable: boolean;
    };

// Worth another attempt: the endpoint may answer next time.
const RETRYABLE_STATUS = (status: number) => status >= 500 || [408, 409, 429].includes(status);

/**
 * The model endpoint (OpenAI Chat Completions or a compatible API), or none when no key is
 * configured. The SDK never retries (`maxRetries: 0`): the decision step counts attempts
 * itself, against the workflow's `maxInvalidOutputs`.
 */
export class ModelGateway {
  private constructor(private readonly client: OpenAI | undefined) {}

  static fromConfig(config: DecisionConfig): ModelGateway {
    if (!config.openaiApiKey) return new ModelGateway(undefined);
    return new ModelGateway(
      new OpenAI({
        apiKey: config.openaiApiKey,
        ...(config.openaiBaseUrl ? { baseURL: config.openaiBaseUrl } : {}),
        timeout: config.openaiTimeoutMs,
        maxRetries: 0,
      }),
    );
  }

  get configured(): boolean {
    return this.client !== undefined;
  }

  async complete(request: ModelRequest): Promise<ModelReply> {
    if (!this.client) throw new Error('no model is configured (OPENAI_API_KEY is empty)');
    try {
      const response = await this.client.chat.completions.create(
        {
          model: request.model,
          temperature: request.temperature,
          messages: request.messages,
          ...(request.maxOutputTokens ? { max_tokens: request.maxOutputTokens } : {}),
          response_format: {
            type: 'json_schema',
            json_schema: { name: 'decision', strict: true, schema: request.schema },
          },
        },
        request.caller ? { headers: callerHeaders(request.caller) } : undefined,
      );
      const message = response.choices[0]?.message;
      return {
        ok: true,
        model: response.model || request.model,
        content: message?.content ?? null,
        refusal: message?.refusal ?? null,
        promptTokens: response.usage?.prompt_tokens ?? 0,
        completionTokens: response.usage?.completion_tokens ?? 0,
      };
    } catch (error) {
      return classify(error);
    }
  }
}

/** The headers naming the run and step that ask (docs/cases.md: the scripted model reads them). */
export function callerHeaders(caller: { runId: string; stepSeq: number }): Record<string, string> {
  return { 'x-baton-run-id': caller.runId, 'x-baton-step-seq': String(caller.stepSeq) };
}

function classify(error: unknown): ModelReply & { ok: false } {
  if (error instanceof APIConnectionTimeoutError) {
    return { ok: false, outcome: 'timeout', problem: 'timed out', retryable: true };
  }
  if (error instanceof APIConnectionError) {
    return {
      ok: false,
      outcome: 'connection-error',
      problem: 'connection failed',
      retryable: true,
    };
  }
  if (error instanceof APIError && typeof error.status === 'number') {
    return {
      ok: false,
      outcome: 'http-error',
      problem: `HTTP ${error.status}`,
      retryable: RETRYABLE_STATUS(error.status),
    };
  }
  // A 200 whose body is not a chat completion (not JSON, another shape).
  const detail = error instanceof Error ? error.message : String(error);
  return {
    ok: false,
    outcome: 'bad-response',
    problem: `unreadable response (${detail.slice(0, 200)})`,
    retryable: true,
  };
}
