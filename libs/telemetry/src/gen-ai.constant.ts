/**
 * OpenTelemetry GenAI semantic conventions used on the model-call client span (`chat {model}`),
 * plus Baton's own cost attribute. docs/sre.md lists what each one holds.
 */
export const GEN_AI_ATTR = {
  operationName: 'gen_ai.operation.name',
  /** The older name of `gen_ai.provider.name`; both are set so either kind of backend matches. */
  system: 'gen_ai.system',
  providerName: 'gen_ai.provider.name',
  requestModel: 'gen_ai.request.model',
  requestTemperature: 'gen_ai.request.temperature',
  requestMaxTokens: 'gen_ai.request.max_tokens',
  responseModel: 'gen_ai.response.model',
  responseId: 'gen_ai.response.id',
  finishReasons: 'gen_ai.response.finish_reasons',
  inputTokens: 'gen_ai.usage.input_tokens',
  outputTokens: 'gen_ai.usage.output_tokens',
  /** Only with BATON_TRACE_MODEL_CONTENT=true: the prompt and the reply, as JSON. */
  inputMessages: 'gen_ai.input.messages',
  outputMessages: 'gen_ai.output.messages',
  errorType: 'error.type',
  costUsd: 'baton.gen_ai.cost_usd',
} as const;
