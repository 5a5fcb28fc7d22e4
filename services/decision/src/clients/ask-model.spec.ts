import { ScriptedOpenAI } from '@baton/testing';
import type { ModelSpec } from '@baton/workflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DecisionConfig } from '../config/decision.config.js';
import { askModel, worstCaseTokens } from './ask-model.js';
import { ModelAdmission, type AdmissionPermit } from './model-admission.js';
import { ModelGateway } from './model-gateway.js';

const spec: ModelSpec = {
  name: 'gpt-test',
  prompt: 'Decide.',
  temperature: 0,
  labels: ['duplicate-charge', 'unclear'],
  costPer1kTokensUsd: 0.5,
  maxInvalidOutputs: 2,
};
const valid = {
  next: 'escalate',
  tool: null,
  args: {},
  label: 'unclear',
  confidence: 0.4,
  rationale: 'The message is unclear.',
};
const request = {
  messages: [
    { role: 'system' as const, content: 'Decide.' },
    { role: 'user' as const, content: 'data' },
  ],
  schema: { type: 'object' },
};

const PLENTY = { tokensLeft: 1_000_000, costLeftUsd: 1_000 };

describe(askModel.name, () => {
  const scripted = new ScriptedOpenAI();
  let gateway: ModelGateway;

  beforeAll(async () => {
    await scripted.start();
    const config = Object.assign(new DecisionConfig(), {
      openaiApiKey: 'test',
      openaiBaseUrl: scripted.baseURL,
      openaiTimeoutMs: 300,
    });
    gateway = ModelGateway.fromConfig(config);
  });
  afterAll(() => scripted.stop());

  it('asks for strict structured output and retries an invalid answer, counting every token', async () => {
    const before = scripted.requests.length;
    scripted.reply(
      { text: 'not json', promptTokens: 100, completionTokens: 10 },
      { json: valid, promptTokens: 300, completionTokens: 100 },
    );
    const answer = await askModel(gateway, spec, request, PLENTY);
    expect(answer.decision).toEqual({
      ...valid,
      tool: undefined,
      args: undefined,
      decidedBy: 'model',
    });
    expect(answer.tokens).toBe(510);
    expect(answer.costUsd).toBeCloseTo(0.255, 10);
    expect(
      answer.calls.map((call) => [call.outcome, call.promptTokens, call.completionTokens]),
    ).toEqual([
      ['invalid-json', 100, 10],
      ['ok', 300, 100],
    ]);
    expect(answer.problems).toEqual(['invalid JSON']);
    const body = scripted.requests[before]!.body;
    expect(body).toMatchObject({
      model: 'gpt-test',
      temperature: 0,
      response_format: {
        type: 'json_schema',
        json_schema: { name: 'decision', strict: true, schema: { type: 'object' } },
      },
    });
  });

  it('gives up after maxInvalidOutputs + 1 attempts, naming each failure: invalid JSON, HTTP 500, timed out', async () => {
    const before = scripted.requests.length;
    scripted.reply({ text: '{"next":' }, { status: 500 }, { hang: true });
    const answer = await askModel(gateway, spec, request, PLENTY);
    expect(answer.decision).toBeUndefined();
    expect(answer.problems).toEqual(['invalid JSON', 'HTTP 500', 'timed out']);
    expect(answer.calls.map((call) => call.outcome)).toEqual([
      'invalid-json',
      'http-error',
      'timeout',
    ]);
    // The SDK itself never retries: one request per attempt.
    expect(scripted.requests.length - before).toBe(3);
  });

  it('does not retry what cannot succeed (a rejected key) and reads an unreadable body as a failure', async () => {
    scripted.reply({ status: 401, message: 'bad key' });
    const rejected = await askModel(gateway, spec, request, PLENTY);
    expect(rejected.problems).toEqual(['HTTP 401']);
    expect(rejected.calls).toHaveLength(1);

    scripted.reply({ garbage: '<html>proxy error</html>' }, { json: valid });
    const recovered = await askModel(gateway, spec, request, PLENTY);
    expect(recovered.problems[0]).toMatch(/^unreadable response/);
    expect(recovered.decision?.label).toBe('unclear');
  });

  it('reports a label outside the workflow as an invalid output', async () => {
    scripted.reply(
      { json: { ...valid, label: 'made-up' } },
      { json: { ...valid, label: 'made-up' } },
      { json: { ...valid, label: 'made-up' } },
    );
    const answer = await askModel(gateway, spec, request, PLENTY);
    expect(answer.decision).toBeUndefined();
    expect(answer.problems).toHaveLength(3);
    expect(answer.problems[0]).toBe(
      'invalid output (label must be one of duplicate-charge, unclear)',
    );
  });

  it('reserves the worst case before each call and makes none that could cross the budget', async () => {
    const before = scripted.requests.length;
    const worst = worstCaseTokens(request, 1024);
    // Room for one worst-case call: the first is made; the retry of its invalid answer is
    // reserved with the provider's own count of the prompt (50) and would cross what is left.
    scripted.reply({ text: 'not json', promptTokens: 50, completionTokens: 10 });
    const answer = await askModel(gateway, spec, request, {
      tokensLeft: 50 + 1024 + 59,
      costLeftUsd: 1_000,
    });
    expect(worst).toBeGreaterThan(1024);
    expect(scripted.requests.length - before).toBe(1);
    expect(scripted.requests[before]!.body['max_tokens']).toBe(1024);
    expect(answer.decision).toBeUndefined();
    expect(answer.tokens).toBe(60);
    expect(answer.budget).toBe(
      `budget: the next model call could use ${50 + 1024} tokens and the run has ${50 + 1024 - 1} left; it was not made`,
    );

    const broke = await askModel(gateway, spec, request, {
      tokensLeft: 1_000_000,
      costLeftUsd: 0.0001,
    });
    expect(broke.calls).toEqual([]);
    expect(broke.budget).toMatch(
      /^budget: the next model call could cost \$[0-9.]+ and the run has \$0\.0001 left/,
    );
  });

  it('asks admission for each call at its worst case, and settles it with what the provider counted', async () => {
    const admitted: Array<{ model: string; tokens: number; settled?: number }> = [];
    const admission = new ModelAdmission();
    admission.admit = (model: string, tokens: number): Promise<AdmissionPermit> => {
      const entry: (typeof admitted)[number] = { model, tokens };
      admitted.push(entry);
      return Promise.resolve({ settle: (used: number) => (entry.settled = used) });
    };
    scripted.reply(
      { status: 500 },
      { text: 'not json', promptTokens: 70, completionTokens: 5 },
      { json: valid, promptTokens: 70, completionTokens: 30 },
    );
    const answer = await askModel(gateway, spec, request, PLENTY, { admission });
    expect(answer.decision?.label).toBe('unclear');
    const worst = worstCaseTokens(request, 1024);
    expect(admitted).toEqual([
      { model: 'gpt-test', tokens: worst, settled: 0 },
      { model: 'gpt-test', tokens: worst, settled: 75 },
      { model: 'gpt-test', tokens: 70 + 1024, settled: 100 },
    ]);
  });

  it('makes no call when its wait for admission is aborted (shutdown)', async () => {
    const before = scripted.requests.length;
    const admission = new ModelAdmission({
      maxConcurrent: { byModel: new Map([['gpt-test', 1]]), otherwise: 0 },
      tokensPerMinute: { byModel: new Map(), otherwise: 0 },
    });
    const held = await admission.admit('gpt-test', 1);
    const stop = new AbortController();
    const asking = askModel(gateway, spec, request, PLENTY, { admission, signal: stop.signal });
    stop.abort();
    await expect(asking).rejects.toMatchObject({ name: 'AbortError' });
    expect(scripted.requests.length).toBe(before);
    held.settle(0);
  });
});
