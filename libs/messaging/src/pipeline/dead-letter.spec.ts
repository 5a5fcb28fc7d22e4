import { describe, expect, it } from 'vitest';
import { DLQ_HEADER, readDeadLetterHeaders, replayHeaders } from './dead-letter.js';

describe('dead-letter headers', () => {
  const written = {
    'baton-signature': 'v1=abc',
    traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    [DLQ_HEADER.reason]: 'handler-rejected',
    [DLQ_HEADER.errors]: JSON.stringify(['unknown-workflow: workflowId: no workflow "x"']),
    [DLQ_HEADER.sourceTopic]: 'trigger.ingress',
    [DLQ_HEADER.sourcePartition]: '2',
    [DLQ_HEADER.sourceOffset]: '17',
    [DLQ_HEADER.consumer]: 'trigger',
    [DLQ_HEADER.attempts]: '1',
    [DLQ_HEADER.failedAt]: '2026-12-05T10:00:00.000Z',
  };

  it('reads what Baton wrote', () => {
    expect(readDeadLetterHeaders(written)).toEqual({
      reason: 'handler-rejected',
      errors: ['unknown-workflow: workflowId: no workflow "x"'],
      consumer: 'trigger',
      attempts: 1,
      failedAt: new Date('2026-12-05T10:00:00.000Z'),
      sourcePartition: 2,
      sourceOffset: '17',
    });
  });

  it('reads anything else as unknown, without throwing', () => {
    expect(
      readDeadLetterHeaders({
        [DLQ_HEADER.reason]: 'because',
        [DLQ_HEADER.errors]: 'not json',
        [DLQ_HEADER.attempts]: 'many',
        [DLQ_HEADER.failedAt]: 'yesterday',
        [DLQ_HEADER.sourceOffset]: '-1',
      }),
    ).toEqual({
      reason: 'unknown',
      errors: ['not json'],
      consumer: null,
      attempts: null,
      failedAt: null,
      sourcePartition: null,
      sourceOffset: null,
    });
    expect(readDeadLetterHeaders({}).errors).toEqual([]);
  });

  it('replays with the original headers, the signature kept, the baton-dlq-* ones dropped', () => {
    expect(replayHeaders(written)).toEqual({
      'baton-signature': 'v1=abc',
      traceparent: written.traceparent,
    });
  });
});
