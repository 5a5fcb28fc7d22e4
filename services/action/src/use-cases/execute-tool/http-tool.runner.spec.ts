import { describe, expect, it } from 'vitest';
import { mapResponse, retryableStatus } from './http-tool.runner.js';
import { ToolCallError, isTransient } from './tool-error.js';

describe(retryableStatus.name, () => {
  it('by default retries 408, 429 and 5xx, and fails every other status for good', () => {
    for (const status of [408, 429, 500, 502, 503, 504]) expect(retryableStatus(status)).toBe(true);
    for (const status of [400, 401, 403, 404, 409, 410, 422, 301])
      expect(retryableStatus(status)).toBe(false);
  });

  it('follows the tool’s retryOn: statuses and classes', () => {
    expect(retryableStatus(409, [409, '5xx'])).toBe(true);
    expect(retryableStatus(503, [409, '5xx'])).toBe(true);
    expect(retryableStatus(429, [409, '5xx'])).toBe(false);
    expect(retryableStatus(503, [])).toBe(false);
  });

  it('is what isTransient reads from a ToolCallError', () => {
    expect(isTransient(new ToolCallError('HTTP 503 from x', true))).toBe(true);
    expect(isTransient(new ToolCallError('HTTP 422 from x', false))).toBe(false);
  });
});

describe(mapResponse.name, () => {
  const answer = { status: 201, body: { id: 'ans_1', ticket: { state: 'answered' } } };

  it('is the status and the body without a mapping', () => {
    expect(mapResponse(answer, undefined)).toEqual(answer);
  });

  it('takes each mapped field from its path, null when the answer lacks it', () => {
    expect(
      mapResponse(answer, {
        answerId: 'body.id',
        state: 'body.ticket.state',
        missing: 'body.x',
        status: 'status',
      }),
    ).toEqual({ answerId: 'ans_1', state: 'answered', missing: null, status: 201 });
  });
});
