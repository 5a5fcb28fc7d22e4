import { Injectable } from '@nestjs/common';
import { OutboundError, OutboundHttp, SecretStore, hostOf, redactValue } from '@baton/service-kit';
import { getPath, renderHttpRequest, type Scope, type ToolGrantSpec } from '@baton/workflow';
import { ActionConfig } from '../../config/action.config.js';
import { ToolCallError, ToolInputError } from './tool-error.js';
import type { ToolRunner } from './tool-runner.js';

/** Worth another attempt unless a tool says otherwise: a timeout, too many requests, 5xx. */
export const DEFAULT_RETRY_ON: ReadonlyArray<number | string> = [408, 429, '5xx'];

/** Whether an answer with this (non-2xx) status is worth another attempt, by `retryOn`. */
export function retryableStatus(
  status: number,
  retryOn: ReadonlyArray<number | string> = DEFAULT_RETRY_ON,
): boolean {
  return retryOn.some((entry) =>
    typeof entry === 'number' ? entry === status : entry[0] === String(status)[0],
  );
}

/** The body as JSON when it is JSON, else the text (null when empty). */
function parseBody(text: string): unknown {
  if (text === '') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** What of the answer becomes the output: `response` maps fields to paths in `{ status, body }`. */
export function mapResponse(
  answer: { status: number; body: unknown },
  response: Record<string, string> | undefined,
): Record<string, unknown> {
  if (!response) return { status: answer.status, body: answer.body };
  return Object.fromEntries(
    Object.entries(response).map(([field, path]) => [field, getPath(answer, path) ?? null]),
  );
}

/**
 * `kind: http`: one request to an HTTP API, on a host the deployment allows. A write carries
 * its idempotency key in `Idempotency-Key`, the same on every attempt and every redelivery,
 * so a server that honours it writes once. Secrets are filled into headers here and nowhere
 * else; an answer that echoes one has it replaced by `[secret]` before it becomes the output.
 * A non-2xx answer fails the call: for good, or worth another attempt by the tool's `retryOn`.
 */
@Injectable()
export class HttpToolRunner implements ToolRunner {
  constructor(
    private readonly http: OutboundHttp,
    private readonly secrets: SecretStore,
    private readonly config: ActionConfig,
  ) {}

  async run(grant: ToolGrantSpec, scope: Scope): Promise<Record<string, unknown>> {
    const rendered = renderHttpRequest(
      {
        method: grant.method ?? 'GET',
        url: grant.url ?? '',
        ...(grant.headers ? { headers: grant.headers } : {}),
        ...(grant.body !== undefined ? { body: grant.body } : {}),
      },
      scope,
      (name) => this.secrets.get(name),
      (name) => this.http.endpoint(name),
    );
    if (!rendered.ok) {
      const { missing } = rendered;
      throw new ToolInputError(
        `not sent: ${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} missing`,
      );
    }
    const request = rendered.request;
    if (grant.access === 'write') request.headers['Idempotency-Key'] = String(scope['key']);
    let answer;
    try {
      answer = await this.http.send(request, grant.timeoutMs ?? this.config.toolTimeoutMs);
    } catch (error) {
      if (error instanceof OutboundError) throw new ToolCallError(error.message, error.retryable);
      throw error;
    }
    if (answer.status < 200 || answer.status > 299) {
      // The status and the host only: an error body may quote the request or a customer.
      throw new ToolCallError(
        `HTTP ${answer.status} from ${hostOf(request.url)}`,
        retryableStatus(answer.status, grant.retryOn),
      );
    }
    const body = redactValue(parseBody(answer.text), request.secretValues);
    return mapResponse({ status: answer.status, body }, grant.response);
  }
}
