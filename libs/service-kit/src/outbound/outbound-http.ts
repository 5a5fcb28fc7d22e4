import type { RenderedRequest } from '@baton/workflow';
import { hostOf, outboundRefusal } from './allowed-hosts.js';
import { parseEndpoints } from './endpoints.js';
import type { OutboundConfig } from './outbound.config.js';
import { redact } from './secret-store.js';

/**
 * Why an outbound call failed. `retryable`: another attempt may work (no answer, a timeout);
 * otherwise it would fail the same way (a refused host, a redirect elsewhere, a huge answer).
 * The message names the host at most, never the path, the query, a header or a secret.
 */
export class OutboundError extends Error {
  override name = 'OutboundError';
  constructor(
    readonly code: 'refused' | 'invalid' | 'redirect' | 'too-large' | 'timeout' | 'unreachable',
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

/** An answer, read whole (within the size limit). */
export interface HttpAnswer {
  status: number;
  contentType: string;
  text: string;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/**
 * Sends HTTP requests for tools and sources, only to allowed hosts: the allow-list is checked
 * on the URL as rendered and on every redirect, which is followed only to the same origin and
 * at most `maxRedirects` times. The answer is read up to `maxResponseBytes`; `timeoutMs` covers
 * the whole exchange, redirects and body included. Node's own fetch (undici).
 */
export class OutboundHttp {
  private readonly endpoints: ReadonlyMap<string, string>;

  constructor(private readonly config: OutboundConfig) {
    const parsed = parseEndpoints(config.endpoints ?? []);
    this.endpoints = parsed.ok ? parsed.endpoints : new Map();
  }

  /** The base URL of a named endpoint (BATON_ENDPOINTS), or undefined. */
  endpoint(name: string): string | undefined {
    return this.endpoints.get(name);
  }

  /** The answer, whatever its status; throws OutboundError when there is none to give. */
  async send(request: RenderedRequest, timeoutMs: number): Promise<HttpAnswer> {
    const signal = AbortSignal.timeout(timeoutMs);
    let url = request.url;
    let method: string = request.method;
    let body = request.body;
    let headers: Headers;
    try {
      headers = new Headers({
        accept: 'application/json',
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...request.headers,
      });
    } catch {
      // A value from the run that HTTP cannot carry (a control character, non-Latin-1 text):
      // the same request would fail the same way again. The message names no value.
      throw new OutboundError(
        'invalid',
        `not sent: a header value is not valid in HTTP (${Object.keys(request.headers).join(', ')})`,
        false,
      );
    }
    try {
      for (let redirects = 0; ; redirects += 1) {
        const refusal = outboundRefusal(url, this.config.allowedHosts);
        if (refusal) throw new OutboundError('refused', `not sent: ${refusal}`, false);
        const response = await fetch(url, {
          method,
          headers,
          ...(body !== undefined ? { body } : {}),
          redirect: 'manual',
          signal,
        });
        if (!REDIRECTS.has(response.status)) {
          const text = await this.read(response, hostOf(url)!);
          return {
            status: response.status,
            contentType: response.headers.get('content-type') ?? '',
            text,
          };
        }
        await response.body?.cancel();
        url = this.redirectTarget(url, response, redirects);
        // As browsers do: a 303 (and a 301/302 of anything but a GET) becomes a GET.
        if (response.status === 303 || (response.status < 303 && method !== 'GET')) {
          method = 'GET';
          body = undefined;
        }
      }
    } catch (error) {
      throw this.describe(error, url, timeoutMs, request.secretValues);
    }
  }

  private redirectTarget(from: string, response: Response, redirects: number): string {
    const location = response.headers.get('location');
    const origin = new URL(from);
    if (!location)
      throw new OutboundError(
        'redirect',
        `${origin.hostname} redirected without a Location`,
        false,
      );
    let next: URL;
    try {
      next = new URL(location, origin);
    } catch {
      throw new OutboundError('redirect', `${origin.hostname} redirected to no valid URL`, false);
    }
    if (next.origin !== origin.origin)
      throw new OutboundError(
        'redirect',
        `${origin.hostname} redirected to ${next.protocol === origin.protocol ? next.host : next.origin}: redirects are followed only on the same host`,
        false,
      );
    if (redirects >= this.config.maxRedirects)
      throw new OutboundError(
        'redirect',
        `${origin.hostname} redirected more than ${this.config.maxRedirects} times (BATON_OUTBOUND_MAX_REDIRECTS)`,
        false,
      );
    return next.href;
  }

  /** The body as text, read no further than the limit. */
  private async read(response: Response, host: string): Promise<string> {
    const limit = this.config.maxResponseBytes;
    const declared = Number(response.headers.get('content-length'));
    if (declared > limit) {
      await response.body?.cancel();
      throw tooLarge(host, limit);
    }
    if (!response.body) return '';
    const chunks: Uint8Array[] = [];
    let size = 0;
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > limit) {
        await reader.cancel();
        throw tooLarge(host, limit);
      }
      chunks.push(value);
    }
    return Buffer.concat(chunks).toString('utf8');
  }

  private describe(
    error: unknown,
    url: string,
    timeoutMs: number,
    secretValues: readonly string[],
  ): OutboundError {
    if (error instanceof OutboundError) return error;
    const host = hostOf(url) ?? 'the host';
    const name = (error as { name?: unknown } | null)?.name;
    if (name === 'TimeoutError' || name === 'AbortError')
      return new OutboundError(
        'timeout',
        `${host} gave no complete answer within ${timeoutMs} ms`,
        true,
      );
    // fetch says "fetch failed" and puts the reason (ECONNREFUSED, …) in its cause; that
    // reason may quote what was sent, so it is redacted.
    const cause = (error as { cause?: unknown } | null)?.cause;
    const code = (cause as { code?: unknown } | null)?.code;
    const reason =
      typeof code === 'string' ? code : error instanceof Error ? error.message : String(error);
    return new OutboundError(
      'unreachable',
      redact(`${host} did not answer: ${reason}`, secretValues),
      true,
    );
  }
}

const tooLarge = (host: string, limit: number) =>
  new OutboundError(
    'too-large',
    `the answer of ${host} is larger than ${limit} bytes (BATON_OUTBOUND_MAX_RESPONSE_BYTES)`,
    false,
  );
