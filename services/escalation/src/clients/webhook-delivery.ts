import type { DeliveryOutcome } from '../domain/notification.js';

export interface DeliveryOptions {
  timeoutMs: number;
  attempts: number;
  /** Before the second attempt; doubled before each next one. */
  retryDelayMs?: number;
  headers?: Record<string, string>;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
}

const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Answers worth another attempt: the receiver may manage later. */
const retriable = (status: number) => status === 408 || status === 429 || status >= 500;

/**
 * POSTs the JSON body to the URL: each attempt within `timeoutMs`, at most `attempts`
 * attempts. A network error, a timeout, 408, 429 or 5xx is tried again after a growing pause;
 * any other answer is final: 2xx is delivered, the rest failed. Redirects are not followed
 * (the target was allowed by host, its redirect was not). Never throws.
 */
export async function deliverWebhook(
  url: string,
  body: unknown,
  options: DeliveryOptions,
): Promise<DeliveryOutcome> {
  const doFetch = options.fetch ?? fetch;
  const sleep = options.sleep ?? wait;
  const payload = JSON.stringify(body);
  let outcome: DeliveryOutcome = { status: 'failed', attempts: 0, httpStatus: null, error: null };
  for (let attempt = 1; attempt <= options.attempts; attempt++) {
    if (attempt > 1) await sleep((options.retryDelayMs ?? 500) * 2 ** (attempt - 2));
    let again: boolean;
    try {
      const response = await doFetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...options.headers },
        body: payload,
        redirect: 'manual',
        signal: AbortSignal.timeout(options.timeoutMs),
      });
      // The answer's body is not read: free the connection.
      await response.body?.cancel().catch(() => undefined);
      const ok = response.status >= 200 && response.status < 300;
      outcome = {
        status: ok ? 'delivered' : 'failed',
        attempts: attempt,
        httpStatus: response.status,
        error: ok
          ? null
          : response.status >= 300 && response.status < 400
            ? `HTTP ${response.status}: redirects are not followed`
            : `HTTP ${response.status}`,
      };
      again = !ok && retriable(response.status);
    } catch (error) {
      outcome = {
        status: 'failed',
        attempts: attempt,
        httpStatus: null,
        error: failureText(error, options.timeoutMs),
      };
      again = true;
    }
    if (!again) return outcome;
  }
  return outcome;
}

function failureText(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError'))
    return `no answer within ${timeoutMs} ms`;
  const cause = error instanceof Error ? (error.cause as { code?: string } | undefined) : undefined;
  const message = error instanceof Error ? error.message : String(error);
  return cause?.code ? `${message} (${cause.code})` : message;
}
