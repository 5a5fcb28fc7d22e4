import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

export enum McpToolErrorCode {
  /** The workflow names a server the deployment does not declare. */
  UnknownServer = 'unknown-server',
  /** The server has no tool of that name. */
  UnknownTool = 'unknown-tool',
  /** The arguments break the tool's input schema: refused before the call. */
  InvalidArguments = 'invalid-arguments',
  /** The tool ran and reported an error (`isError`). */
  ToolFailed = 'tool-failed',
  /** The server refused the request (a JSON-RPC error such as invalid params, an HTTP 4xx). */
  Refused = 'refused',
  /** No answer within the server's `timeoutMs`. */
  Timeout = 'timeout',
  /** The server could not be reached or answered with an error of its own (HTTP 5xx, a lost connection). */
  Unavailable = 'unavailable',
  /** The answer is larger than Baton records. */
  OutputTooLarge = 'output-too-large',
}

// What may work on another try: the same call answered differently once the server is back.
const TRANSIENT: Record<McpToolErrorCode, boolean> = {
  [McpToolErrorCode.UnknownServer]: false,
  [McpToolErrorCode.UnknownTool]: false,
  [McpToolErrorCode.InvalidArguments]: false,
  [McpToolErrorCode.ToolFailed]: false,
  [McpToolErrorCode.Refused]: false,
  [McpToolErrorCode.Timeout]: true,
  [McpToolErrorCode.Unavailable]: true,
  [McpToolErrorCode.OutputTooLarge]: false,
};

/**
 * A failed MCP tool call, with whether another try may succeed. The message names the server
 * and tool and what went wrong; it holds no argument value and no credential of the server's
 * declaration.
 */
export class McpToolError extends Error {
  override name = 'McpToolError';
  readonly transient: boolean;

  constructor(
    readonly code: McpToolErrorCode,
    message: string,
    /** For `invalid-arguments`: each problem, `args.<path>: <what is wrong>`. */
    readonly problems: string[] = [],
  ) {
    super(message);
    this.transient = TRANSIENT[code];
  }
}

const MAX_DETAIL = 300;

/** What went wrong, as an McpToolError, from whatever the SDK or the transport threw. */
export function mcpToolErrorOf(error: unknown, at: string): McpToolError {
  if (error instanceof McpToolError) return error;
  if (error instanceof StreamableHTTPError) {
    const status = error.code ?? 0;
    // 404 on a session Baton holds is an expired session: reconnecting gets a new one.
    const retry = status >= 500 || status === 404 || status === 408 || status === 429;
    return new McpToolError(
      retry ? McpToolErrorCode.Unavailable : McpToolErrorCode.Refused,
      `${at}: the server answered HTTP ${status || 'error'}`,
    );
  }
  if (error instanceof McpError) {
    const detail = clip(error.message);
    switch (error.code) {
      case ErrorCode.RequestTimeout:
        return new McpToolError(McpToolErrorCode.Timeout, `${at}: no answer in time`);
      case ErrorCode.ConnectionClosed:
        return new McpToolError(McpToolErrorCode.Unavailable, `${at}: the connection closed`);
      case ErrorCode.InternalError:
        return new McpToolError(McpToolErrorCode.Unavailable, `${at}: ${detail}`);
      default:
        return new McpToolError(McpToolErrorCode.Refused, `${at}: ${detail}`);
    }
  }
  const message = error instanceof Error ? error.message : String(error);
  return new McpToolError(McpToolErrorCode.Unavailable, `${at}: ${clip(message)}`);
}

export function clip(text: string): string {
  return text.length > MAX_DETAIL ? `${text.slice(0, MAX_DETAIL)}…` : text;
}
