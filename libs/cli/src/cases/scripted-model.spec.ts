import { OpenAI } from 'openai';
import { expectEventually } from '@baton/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelPortBusyError, ScriptedModelServer } from './scripted-model.js';

const RUN_A = '0197a8c4-5e1b-7c3d-9f20-000000000001';
const RUN_B = '0197a8c4-5e1b-7c3d-9f20-000000000002';

describe(ScriptedModelServer.name, () => {
  const server = new ScriptedModelServer(300);
  let openai: OpenAI;

  /** One call as the decision service makes it, with the run in the headers. */
  const ask = (runId: string | undefined, seq = 1) =>
    openai.chat.completions.create(
      { model: 'gpt-test', messages: [{ role: 'user', content: 'decide' }] },
      runId ? { headers: { 'x-baton-run-id': runId, 'x-baton-step-seq': String(seq) } } : {},
    );
  const statusOf = (promise: Promise<unknown>) =>
    promise.then(
      () => 200,
      (error: { status?: number; message?: string }) => [error.status, error.message] as const,
    );

  beforeAll(async () => {
    await server.start(0);
    openai = new OpenAI({ apiKey: 'k', baseURL: server.baseURL, maxRetries: 0, timeout: 5000 });
  });
  afterAll(() => server.stop());

  it('answers each run from its own script, in order: a decision as JSON, raw text, an HTTP error', async () => {
    const a = server.register(RUN_A, [
      { reply: { next: 'escalate', label: 'unclear' } },
      { text: 'Sure! {"next": ' },
      { status: 503 },
    ]);
    const b = server.register(RUN_B, [{ text: 'b-only' }]);
    const first = await ask(RUN_A, 1);
    expect(JSON.parse(first.choices[0]!.message.content!)).toEqual({
      next: 'escalate',
      label: 'unclear',
    });
    expect((await ask(RUN_B, 1)).choices[0]!.message.content).toBe('b-only');
    expect((await ask(RUN_A, 1)).choices[0]!.message.content).toBe('Sure! {"next": ');
    expect(await statusOf(ask(RUN_A, 1))).toEqual([503, expect.stringContaining('scripted 503')]);
    expect(a.calls.map((c) => [c.call, c.stepSeq, c.answered, c.scripted])).toEqual([
      [1, 1, 'reply', true],
      [2, 1, 'text', true],
      [3, 1, 'status 503', true],
    ]);
    expect([a.extra, a.unused, b.extra, b.unused]).toEqual([0, 0, 0, 0]);
  });

  it('answers a call beyond the script with 500 "no scripted reply left" and counts it', async () => {
    const script = server.register(RUN_A, [{ text: 'one' }]);
    await ask(RUN_A);
    expect(await statusOf(ask(RUN_A, 4))).toEqual([
      500,
      expect.stringContaining('no scripted reply left'),
    ]);
    expect([script.extra, script.unused]).toEqual([1, 0]);
  });

  it('holds a call for a run not registered yet until its registration', async () => {
    const runId = '0197a8c4-5e1b-7c3d-9f20-000000000003';
    const call = ask(runId);
    await expectEventually(() => expect(server.waitingCalls).toBe(1));
    server.register(runId, [{ text: 'late' }]);
    expect((await call).choices[0]!.message.content).toBe('late');
  });

  it('gives up on a run nobody registers, and refuses a call without the run header', async () => {
    expect(await statusOf(ask('0197a8c4-5e1b-7c3d-9f20-00000000dead'))).toEqual([
      500,
      expect.stringContaining('no script for run 0197a8c4-5e1b-7c3d-9f20-00000000dead'),
    ]);
    expect(await statusOf(ask(undefined))).toEqual([
      400,
      expect.stringContaining('no x-baton-run-id header'),
    ]);
  });

  it('says so when its port is taken', async () => {
    await expect(new ScriptedModelServer().start(server.port)).rejects.toBeInstanceOf(
      ModelPortBusyError,
    );
  });
});
