import type {
  EffectEntry,
  CancelAnswer,
  DeadLetterPage,
  DeadLetterSummary,
  Page,
  Run,
  RunSummary,
  StatsAnswer,
  StatsComparison,
  TaskDetail,
  TaskSummary,
  TriggerAnswer,
} from './api-types.js';
import type { BacktestReport, StartedBacktest } from './backtest-types.js';
import type { StepValueAnswer } from './step-value-types.js';
import type {
  PromotedWorkflow,
  PublishedWorkflow,
  RecordedCaseResults,
  WorkflowSummary,
} from './workflow-types.js';

/**
 * The service answered with an error status. Baton's error shape (docs/http-api.md#errors) is
 * `{ statusCode, error, message, problems }`: `problems` say why, one line per field.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    /** The answer's JSON (or its text when it was not JSON). */
    readonly body: unknown,
    /** The answer's `error` (`code` from escalation services before the shape was one), e.g. `unknown-workflow`, `task-not-open`. */
    readonly code: string | undefined,
    /** One line per offending field: the answer's `problems`, else its message. */
    readonly problems: string[],
  ) {
    super(problems[0] ?? `HTTP ${status}`);
    this.name = 'ApiError';
  }
}

/** The service could not be reached: connection refused, unknown host, timeout. */
export class UnreachableError extends Error {
  constructor(
    readonly url: string,
    readonly detail: string,
  ) {
    super(`cannot reach ${url}: ${detail}`);
    this.name = 'UnreachableError';
  }
}

export interface ApiClientOptions {
  triggerUrl: string;
  escalationUrl: string;
  /** `Authorization: Bearer <key>`; without it the services answer 401. */
  key?: string;
  /** Per request. */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/** A JSON answer with its HTTP status (200 and 202 both succeed for a trigger). */
export interface Answer<T> {
  status: number;
  body: T;
}

type Query = Record<string, string | number | undefined>;

/** The trigger (:3000) and escalation (:3005) HTTP APIs, as documented in docs/http-api.md. */
export class ApiClient {
  private readonly fetch: typeof fetch;

  constructor(private readonly options: ApiClientOptions) {
    this.fetch = options.fetch ?? globalThis.fetch;
  }

  /** The same client with another key (e.g. a reviewer key to follow a run a publisher started). */
  withKey(key: string | undefined): ApiClient {
    return new ApiClient({ ...this.options, key, fetch: this.fetch });
  }

  trigger(event: Record<string, unknown>): Promise<Answer<TriggerAnswer>> {
    return this.call('trigger', 'POST', '/v1/triggers', { body: event });
  }

  async listRuns(query: Query): Promise<Answer<Page<RunSummary>>> {
    return this.call('trigger', 'GET', '/v1/runs', { query });
  }

  /** What lies in the dead-letter topics, newest first (admin). */
  listDeadLetters(query: Query): Promise<Answer<DeadLetterPage>> {
    return this.call('trigger', 'GET', '/v1/dead-letters', { query });
  }

  /** Sends a dead letter back to its source topic, as it was (admin). */
  replayDeadLetter(id: string): Promise<Answer<DeadLetterSummary>> {
    return this.call('trigger', 'POST', `/v1/dead-letters/${encodeURIComponent(id)}/replay`);
  }

  /** The outcome stats (docs/outcomes.md); with `compare`, two versions side by side. */
  getStats(query: Query): Promise<Answer<StatsAnswer | StatsComparison>> {
    return this.call('trigger', 'GET', '/v1/stats', { query });
  }

  /** Starts a backtest of a version (docs/changing-workflows.md); 202 with its id. */
  startBacktest(workflow: string, body: Record<string, unknown>): Promise<Answer<StartedBacktest>> {
    return this.call('trigger', 'POST', `/v1/workflows/${encodeURIComponent(workflow)}/backtests`, {
      body,
    });
  }

  /** Per step of a workflow version, how often it changed a run (docs/outcomes.md#step-value). */
  getStepValue(workflow: string, query: Query): Promise<Answer<StepValueAnswer>> {
    return this.call('trigger', 'GET', `/v1/workflows/${encodeURIComponent(workflow)}/step-value`, {
      query,
    });
  }

  getBacktest(id: string): Promise<Answer<BacktestReport>> {
    return this.call('trigger', 'GET', `/v1/backtests/${encodeURIComponent(id)}`);
  }

  getRun(id: string): Promise<Answer<Run>> {
    return this.call('trigger', 'GET', `/v1/runs/${encodeURIComponent(id)}`);
  }

  cancelRun(id: string, reason: string): Promise<Answer<CancelAnswer>> {
    return this.call('trigger', 'POST', `/v1/runs/${encodeURIComponent(id)}/cancel`, {
      body: { reason },
    });
  }

  /**
   * 201 published, 200 already published (identical); 409 when the version holds other content
   * or (not as a candidate) its publish gate asks for a candidate.
   */
  publishWorkflow(
    definition: Record<string, unknown>,
    options: { candidate?: boolean } = {},
  ): Promise<Answer<PublishedWorkflow>> {
    return this.call('trigger', 'POST', '/v1/workflows', {
      body: definition,
      ...(options.candidate ? { query: { candidate: 'true' } } : {}),
    });
  }

  /** Makes a candidate live once its publish gate is met (or overridden); 409 with the gate report. */
  promoteWorkflow(
    workflow: string,
    version: number,
    body: { override?: { reason: string } },
  ): Promise<Answer<PromotedWorkflow>> {
    return this.call(
      'trigger',
      'POST',
      `/v1/workflows/${encodeURIComponent(workflow)}/versions/${version}/promote`,
      { body },
    );
  }

  /** Records a version's case-suite results, for a publish gate that requires cases. */
  recordCaseResults(
    workflow: string,
    version: number,
    body: { digest: string; cases: Array<{ name: string; passed: boolean }> },
  ): Promise<Answer<RecordedCaseResults>> {
    return this.call(
      'trigger',
      'POST',
      `/v1/workflows/${encodeURIComponent(workflow)}/versions/${version}/case-results`,
      { body },
    );
  }

  listWorkflows(): Promise<Answer<{ items: WorkflowSummary[] }>> {
    return this.call('trigger', 'GET', '/v1/workflows');
  }

  listTasks(query: Query): Promise<Answer<Page<TaskSummary>>> {
    return this.call('escalation', 'GET', '/v1/tasks', { query });
  }

  getTask(id: string): Promise<Answer<TaskDetail>> {
    return this.call('escalation', 'GET', `/v1/tasks/${encodeURIComponent(id)}`);
  }

  /** The writes the escalation service counts toward effect limits: of a run, or on a key. */
  listEffects(query: Query): Promise<Answer<{ items: EffectEntry[] }>> {
    return this.call('escalation', 'GET', '/v1/effects', { query });
  }

  approveTask(id: string, body: Record<string, unknown>): Promise<Answer<TaskDetail>> {
    return this.call('escalation', 'POST', `/v1/tasks/${encodeURIComponent(id)}/approve`, {
      body,
    });
  }

  rejectTask(id: string, reason: string): Promise<Answer<TaskDetail>> {
    return this.call('escalation', 'POST', `/v1/tasks/${encodeURIComponent(id)}/reject`, {
      body: { reason },
    });
  }

  private async call<T>(
    service: 'trigger' | 'escalation',
    method: 'GET' | 'POST',
    path: string,
    { body, query }: { body?: unknown; query?: Query } = {},
  ): Promise<Answer<T>> {
    const base = service === 'trigger' ? this.options.triggerUrl : this.options.escalationUrl;
    // A base with a path (behind a proxy: https://host/baton) keeps it.
    const url = new URL(`${base.replace(/\/+$/, '')}${path}`);
    for (const [name, value] of Object.entries(query ?? {})) {
      if (value !== undefined) url.searchParams.set(name, String(value));
    }
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.options.key) headers['authorization'] = `Bearer ${this.options.key}`;
    if (body !== undefined) headers['content-type'] = 'application/json';

    let response: Response;
    try {
      response = await this.fetch(url, {
        method,
        headers,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 30_000),
      });
    } catch (error) {
      throw new UnreachableError(`${service} service at ${url.origin}`, describeFetchError(error));
    }
    const text = await response.text();
    const parsed = parseBody(text);
    if (!response.ok) throw apiError(response.status, parsed, text);
    return { status: response.status, body: parsed as T };
  }
}

function parseBody(text: string): unknown {
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * Reads Baton's error shape, `{ statusCode, error, message, problems }`. Older escalation
 * services sent the code as `code`; a body that is not JSON (a proxy's page) gives its first line.
 */
function apiError(status: number, body: unknown, text: string): ApiError {
  if (body && typeof body === 'object' && !Array.isArray(body)) {
    const fields = body as Record<string, unknown>;
    const code = [fields['error'], fields['code']].find(
      (value): value is string => typeof value === 'string' && value.length > 0,
    );
    const lines = (value: unknown): string[] =>
      Array.isArray(value) ? value.map(String) : typeof value === 'string' ? [value] : [];
    const problems = lines(fields['problems']).length
      ? lines(fields['problems'])
      : lines(fields['message']);
    return new ApiError(status, body, code, problems.length ? problems : [`HTTP ${status}`]);
  }
  const line = text.trim().split('\n')[0]?.slice(0, 300);
  return new ApiError(status, body, undefined, [
    line ? `HTTP ${status}: ${line}` : `HTTP ${status}`,
  ]);
}

/** fetch says "fetch failed"; the reason (ECONNREFUSED, ENOTFOUND, a timeout) is in `cause`. */
function describeFetchError(error: unknown): string {
  if (error instanceof Error) {
    if (error.name === 'TimeoutError') return 'no answer in time';
    const cause = (error as { cause?: unknown }).cause;
    if (cause instanceof Error) {
      const code = (cause as { code?: unknown }).code;
      return typeof code === 'string' ? `${code} (${cause.message})` : cause.message;
    }
    return error.message;
  }
  return String(error);
}
