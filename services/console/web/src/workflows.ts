// The trigger API's workflows and outcome stats as the workflow pages read them
// (docs/http-api.md, docs/outcomes.md), and the arithmetic of their charts.

export interface WorkflowSummary {
  id: string;
  version: number;
  mode: 'live' | 'shadow';
  owner: string;
  description: string;
  publishedAt: string | null;
  publishedBy: string | null;
  latest: boolean;
  /** Published as a candidate and not promoted (absent from older trigger services). */
  candidate?: boolean;
  promotedAt?: string | null;
  promotedBy?: string | null;
  /** Why the promoting admin overrode a publish gate that was not met. */
  overrideReason?: string | null;
}

export interface WorkflowVersionDetail extends WorkflowSummary {
  definition: Record<string, unknown>;
}

export interface Percentiles {
  p50: number | null;
  p95: number | null;
}

export interface OutcomeStats {
  runs: number;
  ended: number;
  escalated: number;
  reviewed: number;
  corrected: number;
  completionRate: number | null;
  automationRate: number | null;
  escalationRate: number | null;
  correctionRate: number | null;
  topEscalationReasons: Array<{ reason: string; runs: number }>;
  timeToOutcomeMs: Percentiles;
  reviewWaitMs: Percentiles;
  tokens: number;
  costUsd: number;
  costPerRunUsd: number | null;
  timeSavedMinutes: number | null;
}

export interface StatsComparison {
  workflowId: string;
  versions: Array<{ version: number; stats: OutcomeStats }>;
}

/** One workflow: its versions, newest first, and the one new triggers start. */
export interface WorkflowGroup {
  id: string;
  latest: WorkflowSummary;
  versions: WorkflowSummary[];
}

/** `GET /v1/workflows` lists every version; the pages show one line per workflow. */
export function groupWorkflows(items: WorkflowSummary[]): WorkflowGroup[] {
  const byId = new Map<string, WorkflowSummary[]>();
  for (const item of items) byId.set(item.id, [...(byId.get(item.id) ?? []), item]);
  return [...byId.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([id, versions]) => {
      const sorted = [...versions].sort((a, b) => b.version - a.version);
      return { id, versions: sorted, latest: sorted.find((v) => v.latest) ?? sorted[0]! };
    });
}

/**
 * How a version came to be where it is, for the version view: published (or bundled), a
 * candidate not live yet, or promoted — and, when an admin overrode its publish gate, who and why.
 */
export function provenance(version: WorkflowSummary): string[] {
  const lines = [version.publishedBy ? `published by ${version.publishedBy}` : 'bundled'];
  if (version.candidate) lines.push('candidate: new triggers do not start it until it is promoted');
  if (version.promotedBy) lines.push(`promoted by ${version.promotedBy}`);
  if (version.overrideReason)
    lines.push(`publish gate overridden by ${version.promotedBy}: ${version.overrideReason}`);
  return lines;
}

/** The windows the workflow page offers, and how each is cut into points over time. */
export const WINDOWS = {
  '24h': { days: 1, buckets: 6 },
  '7d': { days: 7, buckets: 7 },
  '30d': { days: 30, buckets: 10 },
  '90d': { days: 90, buckets: 9 },
} as const;
export type WindowName = keyof typeof WINDOWS;

export interface Bucket {
  since: string;
  until: string;
}

/**
 * The window ending `now`, cut into equal consecutive spans, oldest first: each becomes one
 * point of the charts (one stats query each, so a point is exactly what `GET /v1/stats`
 * answers for its span).
 */
export function bucketsOf(window: WindowName, now: Date): Bucket[] {
  const { days, buckets } = WINDOWS[window];
  const span = (days * 86_400_000) / buckets;
  const start = now.getTime() - days * 86_400_000;
  return Array.from({ length: buckets }, (_, i) => ({
    since: new Date(start + i * span).toISOString(),
    until: new Date(i === buckets - 1 ? now.getTime() : start + (i + 1) * span).toISOString(),
  }));
}

/** `0.4167` → `41.7 %`; no value (no runs to divide by) → `—`. */
export function percent(rate: number | null): string {
  return rate === null ? '—' : `${(Math.round(rate * 1000) / 10).toFixed(1)} %`;
}

export function usd(value: number | null): string {
  return value === null ? '—' : `$${value.toFixed(value !== 0 && value < 0.01 ? 4 : 2)}`;
}

export function duration(ms: number | null): string {
  if (ms === null) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 120_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms < 7_200_000) return `${Math.round(ms / 60_000)} min`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}

export function minutes(value: number | null): string {
  if (value === null) return '—';
  return value < 120 ? `${Math.round(value)} min` : `${(value / 60).toFixed(1)} h`;
}

/**
 * Where a series' points sit in a chart `width` × `height`: x spread evenly, y from the bottom
 * (0) to the top (`max`, at least the largest value; a rate's is 1). A missing value (a span
 * without runs) has no point, so the line breaks there instead of dropping to zero.
 */
export function plot(
  values: Array<number | null>,
  width: number,
  height: number,
  max?: number,
): Array<{ x: number; y: number } | null> {
  const top = Math.max(max ?? 0, ...values.map((v) => v ?? 0)) || 1;
  const step = values.length > 1 ? width / (values.length - 1) : 0;
  return values.map((value, i) =>
    value === null
      ? null
      : {
          x: Math.round((values.length > 1 ? i * step : width / 2) * 10) / 10,
          y: Math.round((height - (value / top) * height) * 10) / 10,
        },
  );
}

/** SVG path data through the points, a new segment after each gap. */
export function pathOf(points: Array<{ x: number; y: number } | null>): string {
  let path = '';
  let drawing = false;
  for (const point of points) {
    if (!point) {
      drawing = false;
      continue;
    }
    path += `${drawing ? 'L' : 'M'}${point.x} ${point.y} `;
    drawing = true;
  }
  return path.trim();
}
