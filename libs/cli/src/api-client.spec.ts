import { describe, expect, it } from 'vitest';
import { ApiClient, ApiError } from './api-client.js';

/** A client whose every request is answered with `status` and `body` (JSON unless a string). */
const answering = (status: number, body: unknown) =>
  new ApiClient({
    triggerUrl: 'http://trigger.test',
    escalationUrl: 'http://escalation.test',
    key: 'k',
    fetch: (async () =>
      new Response(typeof body === 'string' ? body : JSON.stringify(body), {
        status,
      })) as typeof fetch,
  });

const failure = async (client: ApiClient): Promise<ApiError> => {
  try {
    await client.getRun('r-1');
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error('expected an ApiError');
};

describe(ApiClient.name, () => {
  it("reads Baton's error shape: the code from `error`, the problems one per field", async () => {
    const error = await failure(
      answering(409, {
        statusCode: 409,
        error: 'idempotency-key-reused',
        message: 'idempotency key "k-1" was already used for a different event (run r-1)',
        problems: ['idempotencyKey: "k-1" was already used for a different event (run r-1)'],
      }),
    );
    expect(error).toMatchObject({
      status: 409,
      code: 'idempotency-key-reused',
      problems: ['idempotencyKey: "k-1" was already used for a different event (run r-1)'],
      message: 'idempotencyKey: "k-1" was already used for a different event (run r-1)',
    });
  });

  it('still reads `code` from escalation services that sent it before the shape was one', async () => {
    const error = await failure(
      answering(409, { statusCode: 409, code: 'task-not-open', message: 'task t-1 is approved' }),
    );
    expect(error).toMatchObject({ code: 'task-not-open', problems: ['task t-1 is approved'] });
  });

  it('falls back to the message, then to the first line of a body that is not JSON', async () => {
    expect(await failure(answering(400, { message: ['a: bad', 'b: bad'] }))).toMatchObject({
      code: undefined,
      problems: ['a: bad', 'b: bad'],
    });
    expect(
      await failure(answering(502, '<html>Bad Gateway</html>\n<body>proxy</body>')),
    ).toMatchObject({ code: undefined, problems: ['HTTP 502: <html>Bad Gateway</html>'] });
    expect(await failure(answering(500, ''))).toMatchObject({ problems: ['HTTP 500'] });
  });
});
