import { batonMetrics } from '@baton/telemetry';
import type { ModelCall } from '../../clients/ask-model.js';

/**
 * Records a step's model calls with the OTel GenAI metrics: `gen_ai.client.operation.duration`
 * per call (with `error.type` when it failed) and `gen_ai.client.token.usage` per token type.
 * Labels are the operation, provider and model: never a prompt or an answer.
 */
export function recordModelCalls(calls: readonly ModelCall[]): void {
  const metrics = batonMetrics();
  for (const call of calls) {
    const attributes = {
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': call.model,
    };
    metrics.genAiDuration.record(
      call.latencyMs / 1000,
      call.outcome === 'ok' ? attributes : { ...attributes, 'error.type': call.outcome },
    );
    if (call.promptTokens > 0)
      metrics.genAiTokens.record(call.promptTokens, {
        ...attributes,
        'gen_ai.token.type': 'input',
      });
    if (call.completionTokens > 0)
      metrics.genAiTokens.record(call.completionTokens, {
        ...attributes,
        'gen_ai.token.type': 'output',
      });
  }
}
