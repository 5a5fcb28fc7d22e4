import { APIConnectionError, APIConnectionTimeoutError, APIError, OpenAI } from 'openai';
import { SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import { GEN_AI_ATTR } from '@baton/telemetry';
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
  /** The model's price, for the span's `baton.gen_ai.cost_usd` (what ask-model charges the run). */
  costPer1kTokensUsd?: number;
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
      /** Why the model stopped (`stop`, `length`, ...), when the response says. */
      finishReason?: string;
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
  private constructor(
    private readonly client: OpenAI | undefined,
    private readonly traceContent = false,
  ) {}

  static fromConfig(config: DecisionConfig): ModelGateway {
    if (!config.openaiApiKey) return new ModelGateway(undefined);
    return new ModelGateway(
      new OpenAI({
        apiKey: config.openaiApiKey,
        ...(config.openaiBaseUrl ? { baseURL: config.openaiBaseUrl } : {}),
        timeout: config.openaiTimeoutMs,
        maxRetries: 0,
      }),
      config.traceModelContent === true,
    );
  }

  get configured(): boolean {
    return this.client !== undefined;
  }

  /**
   * One Chat Completions call inside a `chat {model}` client span (OTel GenAI conventions):
   * models, token usage, finish reason and cost; the prompt and reply only with
   * BATON_TRACE_MODEL_CONTENT.
   */
  async complete(request: ModelRequest): Promise<ModelReply> {
    if (!this.client) throw new Error('no model is configured (OPENAI_API_KEY is empty)');
    return tracer().startActiveSpan(
      `chat ${request.model}`,
      { kind: SpanKind.CLIENT, attributes: requestAttributes(request) },
      async (span) => {
        try {
          const reply = await this.call(request);
          recordReply(span, request, reply, this.traceContent);
          return reply;
        } catch (error) {
          span.setAttribute(GEN_AI_ATTR.errorType, error instanceof Error ? error.name : 'error');
          span.setStatus({ code: SpanStatusCode.ERROR });
          throw error;
        } finally {
          span.end();
        }
      },
    );
  }

  private async call(request: ModelRequest): Promise<ModelReply> {
    const client = this.client!;
    try {
      const response = await client.chat.completions.create(
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
      const choice = response.choices[0];
      const message = choice?.message;
      return {
        ok: true,
        model: response.model || request.model,
        content: message?.content ?? null,
        refusal: message?.refusal ?? null,
        promptTokens: response.usage?.prompt_tokens ?? 0,
        completionTokens: response.usage?.completion_tokens ?? 0,
        ...(choice?.finish_reason ? { finishReason: choice.finish_reason } : {}),
      };
    } catch (error) {
      return classify(error);
    }
  }
}

const tracer = () => trace.getTracer('@baton/decision');

function requestAttributes(request: ModelRequest): Record<string, string | number> {
  return {
    [GEN_AI_ATTR.operationName]: 'chat',
    [GEN_AI_ATTR.system]: 'openai',
    [GEN_AI_ATTR.providerName]: 'openai',
    [GEN_AI_ATTR.requestModel]: request.model,
    [GEN_AI_ATTR.requestTemperature]: request.temperature,
    ...(request.maxOutputTokens ? { [GEN_AI_ATTR.requestMaxTokens]: request.maxOutputTokens } : {}),
  };
}

function recordReply(span: Span, request: ModelRequest, reply: ModelReply, content: boolean): void {
  if (content) span.setAttribute(GEN_AI_ATTR.inputMessages, JSON.stringify(request.messages));
  if (!reply.ok) {
    // The outcome names the kind of failure; the problem text may quote the provider, so it stays off.
    span.setAttribute(GEN_AI_ATTR.errorType, reply.outcome);
    span.setStatus({ code: SpanStatusCode.ERROR, message: reply.outcome });
    return;
  }
  span.setAttributes({
    [GEN_AI_ATTR.responseModel]: reply.model,
    [GEN_AI_ATTR.inputTokens]: reply.promptTokens,
    [GEN_AI_ATTR.outputTokens]: reply.completionTokens,
  });
  if (reply.finishReason) span.setAttribute(GEN_AI_ATTR.finishReasons, [reply.finishReason]);
  if (request.costPer1kTokensUsd !== undefined) {
    const tokens = reply.promptTokens + reply.completionTokens;
    span.setAttribute(GEN_AI_ATTR.costUsd, (tokens / 1000) * request.costPer1kTokensUsd);
  }
  if (content) {
    span.setAttribute(
      GEN_AI_ATTR.outputMessages,
      JSON.stringify([{ role: 'assistant', content: reply.content, refusal: reply.refusal }]),
    );
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
