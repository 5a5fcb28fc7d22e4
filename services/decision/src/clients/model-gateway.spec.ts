import { ScriptedOpenAI } from '@baton/testing';
import { trace } from '@opentelemetry/api';
import {
  InMemorySpanExporter,
  SimpleSpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DecisionConfig } from '../config/decision.config.js';
import { ModelGateway } from './model-gateway.js';

const request = {
  model: 'gpt-test',
  temperature: 0,
  messages: [{ role: 'user' as const, content: 'data' }],
  schema: { type: 'object' },
};

describe(ModelGateway.name, () => {
  const scripted = new ScriptedOpenAI();
  let gateway: ModelGateway;

  beforeAll(async () => {
    await scripted.start();
    gateway = ModelGateway.fromConfig(
      Object.assign(new DecisionConfig(), {
        openaiApiKey: 'test',
        openaiBaseUrl: scripted.baseURL,
        openaiTimeoutMs: 1000,
      }),
    );
  });
  afterAll(() => scripted.stop());

  it('names the run and the step asking in the headers x-baton-run-id and x-baton-step-seq', async () => {
    scripted.reply({ json: { next: 'complete' } });
    const runId = '0197a8c4-5e1b-7c3d-9f20-4b6e8a1d2c3f';
    const reply = await gateway.complete({ ...request, caller: { runId, stepSeq: 3 } });
    expect(reply.ok).toBe(true);
    const sent = scripted.requests.at(-1)!;
    expect(sent.headers['x-baton-run-id']).toBe(runId);
    expect(sent.headers['x-baton-step-seq']).toBe('3');
  });

  it('sends no caller headers for a call that names no run', async () => {
    scripted.reply({ json: { next: 'complete' } });
    expect((await gateway.complete(request)).ok).toBe(true);
    expect(scripted.requests.at(-1)!.headers['x-baton-run-id']).toBeUndefined();
  });
});

describe('the model-call span', () => {
  const scripted = new ScriptedOpenAI();
  const spans = new InMemorySpanExporter();
  const provider = new TracerProvider({
    spanProcessors: [new SimpleSpanProcessor({ exporter: spans })],
  });
  const prompt = [{ role: 'user' as const, content: 'Customer Jane Roe asks for a refund' }];
  const gatewayWith = (traceModelContent: boolean) =>
    ModelGateway.fromConfig(
      Object.assign(new DecisionConfig(), {
        openaiApiKey: 'test',
        openaiBaseUrl: scripted.baseURL,
        openaiTimeoutMs: 1000,
        traceModelContent,
      }),
    );

  beforeAll(async () => {
    trace.setGlobalTracerProvider(provider);
    await scripted.start();
  });
  beforeEach(() => spans.reset());
  afterAll(async () => {
    trace.disable();
    await provider.shutdown();
    await scripted.stop();
  });

  it('is a chat client span with the models, the usage, the finish reason and the cost, and no prompt', async () => {
    scripted.reply({
      json: { next: 'complete' },
      promptTokens: 321,
      completionTokens: 45,
      model: 'gpt-test-2025',
    });
    const reply = await gatewayWith(false).complete({
      ...request,
      messages: prompt,
      maxOutputTokens: 500,
      costPer1kTokensUsd: 0.5,
    });
    expect(reply.ok).toBe(true);
    const [span, ...more] = spans.getFinishedSpans();
    expect(more).toHaveLength(0);
    expect(span!.name).toBe('chat gpt-test');
    expect(span!.kind).toBe(2); // SpanKind.CLIENT
    expect(span!.attributes).toEqual({
      'gen_ai.operation.name': 'chat',
      'gen_ai.system': 'openai',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-test',
      'gen_ai.request.temperature': 0,
      'gen_ai.request.max_tokens': 500,
      'gen_ai.response.model': 'gpt-test-2025',
      'gen_ai.usage.input_tokens': 321,
      'gen_ai.usage.output_tokens': 45,
      'gen_ai.response.finish_reasons': ['stop'],
      'baton.gen_ai.cost_usd': ((321 + 45) / 1000) * 0.5,
    });
    expect(JSON.stringify(span!.attributes)).not.toContain('Jane Roe');
    expect(JSON.stringify(span!.events)).not.toContain('Jane Roe');
  });

  it('carries the prompt and the reply only when BATON_TRACE_MODEL_CONTENT is on', async () => {
    scripted.reply({ json: { next: 'complete' } });
    await gatewayWith(true).complete({ ...request, messages: prompt });
    const [span] = spans.getFinishedSpans();
    expect(span!.attributes['gen_ai.input.messages']).toContain('Jane Roe');
    expect(span!.attributes['gen_ai.output.messages']).toContain('complete');
  });

  it('names the failure in error.type and marks the span failed', async () => {
    scripted.reply({ status: 503 });
    const reply = await gatewayWith(false).complete(request);
    expect(reply.ok).toBe(false);
    const [span] = spans.getFinishedSpans();
    expect(span!.attributes['error.type']).toBe('http-error');
    expect(span!.status.code).toBe(2); // SpanStatusCode.ERROR
    expect(span!.attributes['gen_ai.usage.input_tokens']).toBeUndefined();
  });
});
