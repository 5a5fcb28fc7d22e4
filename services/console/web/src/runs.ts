// The trigger API's runs, as the page reads them (docs/http-api.md#get-v1runs-reviewer).

export const RUN_STATUSES = [
  'running',
  'waiting-for-review',
  'completed',
  'rejected',
  'failed',
  'cancelled',
] as const;

export interface RunSummary {
  id: string;
  tenantId: string;
  workflow: { id: string; version: number };
  eventType: string;
  status: string;
  reason: string | null;
  createdAt: string;
  endedAt: string | null;
}

export interface RunPage {
  items: RunSummary[];
  nextCursor: string | null;
}

export interface RunStep {
  seq: number;
  name: string;
  kind: string;
  attempt: number;
  outcome: string;
  input: unknown;
  output: unknown;
  startedAt: string;
  durationMs: number | null;
}

export interface RunDetail extends RunSummary {
  traceId: string | null;
  steps: RunStep[];
}

/** A list's query string: the filters that are set, and the page's cursor. */
export function listQuery(filters: Record<string, string | undefined>): string {
  const query = new URLSearchParams({ limit: '50' });
  for (const [name, value] of Object.entries(filters))
    if (value && value.trim()) query.set(name, value.trim());
  return query.toString();
}

/** The run's trace in the tracing UI (BATON_CONSOLE_TRACE_URL), or none. */
export function traceLink(template: string | null, traceId: string | null): string | null {
  return template && traceId ? template.replaceAll('{traceId}', encodeURIComponent(traceId)) : null;
}
