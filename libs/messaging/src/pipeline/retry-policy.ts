/** Bounded retries with exponential backoff and full jitter, for transient handler failures. */
export interface RetryPolicy {
  /** Attempts in all, the first included; then the record is dead-lettered. */
  maxAttempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  maxAttempts: 5,
  initialDelayMs: 200,
  maxDelayMs: 10_000,
};

export function retryDelay(
  policy: RetryPolicy,
  failedAttempt: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** (failedAttempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/**
 * Thrown by a handler for a message it will never be able to handle (retrying cannot help):
 * the record goes to the dead-letter topic at once.
 */
export class PermanentFailure extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PermanentFailure';
  }
}

// Postgres SQLSTATEs that say the database cannot serve anyone right now, not that this message
// is wrong: connection exceptions (class 08), too many connections, shutting down or starting.
const UNAVAILABLE_SQLSTATES = /^(08...|53300|57P01|57P02|57P03)$/;
const UNAVAILABLE_NODE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
const UNAVAILABLE_MESSAGES =
  /connection terminated|timeout exceeded when trying to connect|connection refused|too many clients/i;

/**
 * Whether the failure is the database (or the network to it) being unavailable — overloaded,
 * restarting, unreachable — rather than anything about the message. Such failures are retried
 * for as long as it takes, never dead-lettered: every message would fail the same way, and
 * dead-lettering them would strand their runs. The record stays uncommitted meanwhile.
 */
export function isUnavailable(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    const { code, message } = current as { code?: unknown; message?: unknown };
    if (
      typeof code === 'string' &&
      (UNAVAILABLE_SQLSTATES.test(code) || UNAVAILABLE_NODE_CODES.has(code))
    )
      return true;
    if (typeof message === 'string' && UNAVAILABLE_MESSAGES.test(message)) return true;
    current =
      (current as { cause?: unknown }).cause ?? (current as { driverError?: unknown }).driverError;
  }
  return false;
}
