import { describe, expect, it } from 'vitest';
import { StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { McpToolError, McpToolErrorCode, mcpToolErrorOf } from './mcp-tool-error.js';
import { toolOutput } from './tool-output.js';

const mapped = (error: unknown) => {
  const { code, transient, message } = mcpToolErrorOf(error, 'crm/create_entities');
  return { code, transient, message };
};

describe(mcpToolErrorOf.name, () => {
  it('retries a timeout, a closed connection and a server error', () => {
    expect(mapped(new McpError(ErrorCode.RequestTimeout, 'Request timed out'))).toEqual({
      code: McpToolErrorCode.Timeout,
      transient: true,
      message: 'crm/create_entities: no answer in time',
    });
    expect(mapped(new McpError(ErrorCode.ConnectionClosed, 'Connection closed'))).toMatchObject({
      code: McpToolErrorCode.Unavailable,
      transient: true,
    });
    expect(mapped(new McpError(ErrorCode.InternalError, 'boom'))).toMatchObject({
      code: McpToolErrorCode.Unavailable,
      transient: true,
    });
    expect(mapped(new StreamableHTTPError(503, 'Service Unavailable'))).toEqual({
      code: McpToolErrorCode.Unavailable,
      transient: true,
      message: 'crm/create_entities: the server answered HTTP 503',
    });
    expect(mapped(new TypeError('fetch failed'))).toMatchObject({
      code: McpToolErrorCode.Unavailable,
      transient: true,
    });
  });

  it('fails for good what the server refused', () => {
    expect(mapped(new McpError(ErrorCode.InvalidParams, 'bad params'))).toMatchObject({
      code: McpToolErrorCode.Refused,
      transient: false,
    });
    expect(mapped(new McpError(ErrorCode.MethodNotFound, 'no such method'))).toMatchObject({
      code: McpToolErrorCode.Refused,
      transient: false,
    });
    expect(mapped(new StreamableHTTPError(401, 'Unauthorized'))).toMatchObject({
      code: McpToolErrorCode.Refused,
      transient: false,
    });
  });

  it('keeps an McpToolError as it is', () => {
    const error = new McpToolError(McpToolErrorCode.InvalidArguments, 'x', ['args.a: is required']);
    expect(mcpToolErrorOf(error, 'crm/x')).toBe(error);
    expect(error.transient).toBe(false);
  });
});

describe(toolOutput.name, () => {
  it('is the structured content when there is one', () => {
    expect(
      toolOutput(
        { content: [{ type: 'text', text: '[]' }], structuredContent: { entities: [] } },
        'a/b',
      ),
    ).toEqual({ entities: [] });
  });

  it('parses a text answer that is one JSON object, else keeps the text', () => {
    expect(toolOutput({ content: [{ type: 'text', text: '{"id":"T-1"}' }] }, 'a/b')).toEqual({
      id: 'T-1',
    });
    expect(
      toolOutput(
        {
          content: [
            { type: 'text', text: 'done' },
            { type: 'image', data: '' },
          ],
        },
        'a/b',
      ),
    ).toEqual({ text: 'done' });
  });

  it('is a failure that is not retried when the tool reports an error', () => {
    expect(() =>
      toolOutput({ content: [{ type: 'text', text: 'read-only' }], isError: true }, 'help/x'),
    ).toThrow(
      expect.objectContaining({
        code: McpToolErrorCode.ToolFailed,
        transient: false,
        message: 'help/x: the tool reported an error: read-only',
      }),
    );
  });

  it('refuses an answer too large to record', () => {
    expect(() =>
      toolOutput({ content: [{ type: 'text', text: 'x'.repeat(300 * 1024) }] }, 'a/b'),
    ).toThrow(expect.objectContaining({ code: McpToolErrorCode.OutputTooLarge }));
  });
});
