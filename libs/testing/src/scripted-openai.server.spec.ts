import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScriptedOpenAI } from './scripted-openai.server.js';

describe(ScriptedOpenAI.name, () => {
  const server = new ScriptedOpenAI();
  let client: OpenAI;

  beforeAll(async () => {
    await server.start();
    client = new OpenAI({ apiKey: 'test', baseURL: server.baseURL, maxRetries: 0, timeout: 500 });
  });
  afterAll(() => server.stop());

  it('answers the real openai SDK with scripted structured output, then errors, then silence', async () => {
    server.reply({ json: { label: 'refund', confidence: 0.9 } }, { status: 500 }, { hang: true });

    const completion = await client.chat.completions.create({
      model: 'gpt-test',
      messages: [{ role: 'user', content: 'classify' }],
      response_format: {
        type: 'json_schema',
        json_schema: { name: 'decision', schema: { type: 'object' } },
      },
    });
    expect(JSON.parse(completion.choices[0]!.message.content!)).toEqual({
      label: 'refund',
      confidence: 0.9,
    });
    expect(completion.usage?.total_tokens).toBe(120);
    expect(server.requests[0]!.body['model']).toBe('gpt-test');

    await expect(
      client.chat.completions.create({ model: 'm', messages: [] }),
    ).rejects.toMatchObject({ status: 500 });
    await expect(client.chat.completions.create({ model: 'm', messages: [] })).rejects.toThrow(
      /timed out/i,
    );
    expect(server.remaining).toBe(0);
  });

  it('fails loudly when the script runs out', async () => {
    await expect(client.chat.completions.create({ model: 'm', messages: [] })).rejects.toThrow(
      /no scripted reply left/,
    );
  });
});
