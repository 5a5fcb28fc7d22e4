import { describe, expect, it } from 'vitest';
import { listQuery, traceLink } from './runs.js';

describe('listQuery', () => {
  it('sends the filters that are set, trimmed, with the page size', () => {
    expect(listQuery({ workflowId: ' billing-dispute ', status: '', cursor: 'c1' })).toBe(
      'limit=50&workflowId=billing-dispute&cursor=c1',
    );
    expect(listQuery({})).toBe('limit=50');
  });
});

describe('traceLink', () => {
  it('puts the trace id into the template, and gives none without either', () => {
    expect(traceLink('http://jaeger:16686/trace/{traceId}', 'abc123')).toBe(
      'http://jaeger:16686/trace/abc123',
    );
    expect(traceLink(null, 'abc123')).toBeNull();
    expect(traceLink('http://jaeger:16686/trace/{traceId}', null)).toBeNull();
  });
});
