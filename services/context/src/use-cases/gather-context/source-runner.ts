import { Inject, Injectable } from '@nestjs/common';
import { LOGGER, OutboundError, OutboundHttp, SecretStore, redactValue } from '@baton/service-kit';
import { McpServers, McpToolError, McpToolErrorCode } from '@baton/mcp';
import type { Logger } from '@baton/telemetry';
import {
  bindParams,
  getPath,
  renderHttpRequest,
  type ContextSourceSpec,
  type Scope,
} from '@baton/workflow';
import { BusinessDatabase } from '@baton/business';
import { searchKnowledge } from '@baton/business';
import { toEvidence, type GatheredSource, type SourceResult } from '../../domain/evidence.js';
import { askMcpSource } from './mcp-source.js';

const DEFAULT_PASSAGE_LIMIT = 5;

class SourceTimeout extends Error {}

/** A source's dependency cannot serve now: the step is worth another attempt. */
export class SourceUnavailable extends Error {
  override name = 'SourceUnavailable';
  constructor(
    readonly source: string,
    cause: unknown,
  ) {
    super(`source ${source} is unavailable: ${describeFailure(cause)}`, { cause });
  }
}

class HttpUnavailable extends Error {
  constructor(readonly status: number) {
    super(`HTTP ${status}`);
  }
}

// SQLSTATEs of a database that cannot serve now: connection exceptions (08), insufficient
// resources (53: too many clients, out of memory, disk full), admin shutdown or a server
// starting (57P01-57P03), and cannot-connect-now.
const UNAVAILABLE_SQLSTATE = /^(08...|53...|57P0[1-3])$/;
const UNAVAILABLE_NETWORK = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
]);

/**
 * Whether an error says the source's system cannot serve now (worth a retry), as opposed to a
 * refusal that will repeat (a missing table, a syntax error, a 4xx) or a timeout (judged as a
 * failure, not retried: a slow source would be slow again).
 */
export function isUnavailable(error: unknown): boolean {
  if (error instanceof HttpUnavailable) return true;
  // No answer from an allowed host may come next time; a refusal or a huge answer will not.
  // A timeout is judged as a failure (below), like the source's own timeout.
  if (error instanceof OutboundError) return error.code === 'unreachable';
  // An MCP server that cannot answer now; a timeout is judged below, like any source's.
  if (error instanceof McpToolError)
    return error.transient && error.code !== McpToolErrorCode.Timeout;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string') {
    if (/^[0-9A-Z]{5}$/.test(code)) return UNAVAILABLE_SQLSTATE.test(code);
    if (UNAVAILABLE_NETWORK.has(code)) return true;
  }
  const cause = (error as { cause?: unknown } | null)?.cause;
  if (cause && cause !== error && isUnavailable(cause)) return true;
  const message = error instanceof Error ? error.message : '';
  // pg's pool and fetch say so only in words.
  return /timeout exceeded when trying to connect|Connection terminated|fetch failed/i.test(
    message,
  );
}

function describeFailure(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)
    ? `${message} (SQLSTATE ${code})`
    : message;
}

/** Postgres cancelled the statement (statement_timeout); fetch gave up (AbortSignal.timeout). */
const isTimeout = (error: unknown) =>
  error instanceof SourceTimeout ||
  (error instanceof OutboundError && error.code === 'timeout') ||
  (error instanceof McpToolError && error.code === McpToolErrorCode.Timeout) ||
  (error as { code?: unknown }).code === '57014' ||
  (error as { name?: unknown }).name === 'TimeoutError';

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new SourceTimeout()), ms);
  });
  return Promise.race([work, expired]).finally(() => clearTimeout(timer));
}

/** Runs one context source of a workflow within its `timeoutMs`, and judges what it found. */
@Injectable()
export class SourceRunner {
  constructor(
    private readonly database: BusinessDatabase,
    private readonly outbound: OutboundHttp,
    private readonly secrets: SecretStore,
    private readonly mcp: McpServers,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /**
   * A failure or a timeout is a result with a reason (`failed`), judged like any other —
   * except a source that is unavailable (a lost connection, too many clients, a server
   * restarting, an HTTP 5xx): unless `lastAttempt`, that throws SourceUnavailable, so the step
   * is retried like any unavailable dependency rather than read as "found nothing".
   */
  async gather(
    source: ContextSourceSpec,
    scope: Scope,
    lastAttempt = true,
  ): Promise<GatheredSource> {
    const started = performance.now();
    const result = await withTimeout(this.run(source, scope), source.timeoutMs).catch(
      (error: unknown): SourceResult => {
        const unavailable = isUnavailable(error);
        if (unavailable && !lastAttempt) throw new SourceUnavailable(source.name, error);
        const reason = isTimeout(error)
          ? `failed: timed out after ${source.timeoutMs} ms`
          : `failed: ${describeFailure(error)}${unavailable ? ' (unavailable after every attempt)' : ''}`;
        this.logger.warn(
          { source: source.name, kind: source.kind, reason },
          'context source failed',
        );
        return { ok: false, reason, failed: true };
      },
    );
    return { evidence: toEvidence(source, result), ms: Math.round(performance.now() - started) };
  }

  private run(source: ContextSourceSpec, scope: Scope): Promise<SourceResult> {
    switch (source.kind) {
      case 'sql':
        return this.sql(source, scope);
      case 'knowledge':
        return this.knowledge(source, scope);
      case 'http':
        return this.http(source, scope);
      case 'mcp':
        return askMcpSource(this.mcp, source, scope);
    }
  }

  private async sql(source: ContextSourceSpec, scope: Scope): Promise<SourceResult> {
    const params = source.params ?? [];
    const { values, missing } = bindParams(params, scope);
    if (missing.length > 0) return { ok: false, reason: notRun('queried', missing) };
    const rows = await this.database.run('read', source.query ?? '', values, source.timeoutMs);
    const detail = `no row matched ${params.join(', ') || 'the query'}`;
    if (source.rows === 'one')
      return { ok: true, content: rows[0] ?? null, found: rows.length > 0, detail };
    return { ok: true, content: rows, found: rows.length > 0, detail };
  }

  private async knowledge(source: ContextSourceSpec, scope: Scope): Promise<SourceResult> {
    const path = source.params?.[0] ?? '';
    const text = getPath(scope, path);
    if (typeof text !== 'string' || text.trim() === '') {
      return { ok: false, reason: notRun('searched', [path]) };
    }
    const passages = await searchKnowledge(this.database, {
      collection: source.collection ?? '',
      text,
      limit: source.limit ?? DEFAULT_PASSAGE_LIMIT,
      minScore: source.minScore ?? 0,
      timeoutMs: source.timeoutMs,
    });
    const detail = `no passage of ${source.collection} matched ${path}`;
    return { ok: true, content: passages, found: passages.length > 0, detail };
  }

  private async http(source: ContextSourceSpec, scope: Scope): Promise<SourceResult> {
    const rendered = renderHttpRequest(
      {
        method: 'GET',
        url: source.url ?? '',
        ...(source.headers ? { headers: source.headers } : {}),
      },
      scope,
      (name) => this.secrets.get(name),
      (name) => this.outbound.endpoint(name),
    );
    if (!rendered.ok) return { ok: false, reason: notRun('requested', rendered.missing) };
    // The allow-list, same-host redirects and the size limit: OutboundHttp.
    const answer = await this.outbound.send(rendered.request, source.timeoutMs);
    // A 404 from a lookup means "no such record": found nothing, not a failure.
    if (answer.status === 404) return { ok: true, content: null, found: false, detail: 'HTTP 404' };
    if (answer.status < 200 || answer.status > 299) {
      if (answer.status >= 500 || answer.status === 429 || answer.status === 408)
        throw new HttpUnavailable(answer.status);
      return { ok: false, reason: `failed: HTTP ${answer.status}`, failed: true };
    }
    let body: unknown;
    try {
      body = JSON.parse(answer.text) as unknown;
    } catch {
      return { ok: false, reason: 'failed: the response is not JSON', failed: true };
    }
    // An answer that echoes a secret it was sent never becomes evidence with it.
    body = redactValue(body, rendered.request.secretValues);
    const found = body !== null && !(Array.isArray(body) && body.length === 0);
    return { ok: true, content: body, found, detail: 'empty response' };
  }
}

const notRun = (verb: string, missing: string[]) =>
  `was not ${verb}: ${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} missing`;
