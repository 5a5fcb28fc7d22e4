import { ScriptedOpenAI } from '@baton/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
