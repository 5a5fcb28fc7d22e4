/** A tool call whose input cannot work (no search text): failing again would change nothing. */
export class ToolInputError extends Error {
  override name = 'ToolInputError';
}

/**
 * A tool call that failed with its own verdict on another attempt (an HTTP status, a refused
 * host): `retryable` says whether the call is tried again.
 */
export class ToolCallError extends Error {
  override name = 'ToolCallError';
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

// SQLSTATEs worth another try: connection loss (08), serialization failure and deadlock,
// lock not available, out of resources (53), query cancelled (statement timeout), server
// shutting down or starting.
const TRANSIENT_SQLSTATE = /^(08...|40001|40P01|55P03|53...|57014|57P0[1-3])$/;
const SQLSTATE = /^[0-9A-Z]{5}$/;

const codeOf = (error: unknown) => {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
};

/**
 * Whether retrying the tool call may succeed. A statement the business database refused
 * (a CHECK or foreign-key violation, bad input: any other SQLSTATE) fails the same way again:
 * it is a tool result, not an error. A ToolCallError says for itself. Anything else (a lost
 * connection, a pool timeout) is.
 */
export function isTransient(error: unknown): boolean {
  if (error instanceof ToolInputError) return false;
  if (error instanceof ToolCallError) return error.retryable;
  const code = codeOf(error);
  if (code && SQLSTATE.test(code)) return TRANSIENT_SQLSTATE.test(code);
  return true;
}

/** The error as a tool result says it: the message, and the SQLSTATE when there is one. */
export function describeError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = codeOf(error);
  return code && SQLSTATE.test(code) ? `${message} (SQLSTATE ${code})` : message;
}
