// The shapes the trigger and escalation APIs answer with (docs/http-api.md), as far as the
// CLI reads them. Everything is optional beyond the ids: the CLI shows what is there.

import type { LedgerRow } from '@baton/effects';

export interface WorkflowRef {
  id: string;
  version: number;
}

export interface RunStep {
  envelopeId?: string;
  seq: number;
  name: string;
  kind: string;
  attempt?: number;
  outcome: string;
  input?: Record<string, unknown> | null;
  output?: Record<string, unknown> | null;
  startedAt?: string;
  finishedAt?: string;
  durationMs?: number;
}

export interface RunSummary {
  id: string;
  tenantId?: string;
  idempotencyKey?: string;
  workflow?: WorkflowRef;
  eventType?: string;
  source?: string | null;
  status: string;
  reason?: string | null;
  createdAt?: string;
  updatedAt?: string;
  endedAt?: string | null;
  /** The W3C trace id of the run's trace (find it in Jaeger); null with tracing off. */
  traceId?: string | null;
}

export interface Run extends RunSummary {
  trigger?: { data?: Record<string, unknown>; [key: string]: unknown } | null;
  steps: RunStep[];
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface TriggerAnswer {
  /** Absent when the workflow's `trigger.filters` ignored the event (`status: "ignored"`). */
  runId?: string;
  workflow?: WorkflowRef;
  /** `running`, or `ignored` with the `reason` (the filter that did not hold). */
  status?: string;
  reason?: string;
  duplicate?: boolean;
  acceptedBy?: string;
}

export interface CancelAnswer {
  runId: string;
  status: string;
  reason: string;
}

export interface Proposal {
  next?: string;
  tool?: string;
  args?: Record<string, unknown>;
  label?: string;
  confidence?: number;
  rationale?: string;
  decidedBy?: string;
}

/** A write as the escalation service's copy of the effect ledger counts it (`GET /v1/effects`). */
export type EffectEntry = LedgerRow;

export interface TaskSummary {
  id: string;
  runId: string;
  workflow?: WorkflowRef;
  tenantId?: string;
  queue?: string;
  status: string;
  reason?: string;
  proposal?: Proposal | null;
  createdAt?: string;
  slaDueAt?: string;
  overdue?: boolean;
  escalatedAt?: string | null;
  closedReason?: string | null;
  closedAt?: string | null;
  /** The values the workflow's `escalation.show` puts first, in its order. */
  highlights?: Array<{ path: string; value: unknown; missing?: boolean }>;
}

export interface Evidence {
  source: string;
  kind?: string;
  ref?: string;
  content?: unknown;
  score?: number;
  weak?: boolean;
  note?: string;
}

export interface HistoryRecord {
  name: string;
  kind: string;
  seq: number;
  outcome: string;
  output?: Record<string, unknown>;
}

export interface TaskDetail extends TaskSummary {
  escalatedFrom?: { step: string; seq: number };
  trigger?: { eventType?: string; source?: string; data?: Record<string, unknown> } | null;
  evidence?: Evidence[];
  weakEvidence?: boolean;
  history?: HistoryRecord[];
  decision?: {
    outcome: string;
    reviewer?: { name: string; role?: string };
    decidedAt?: string;
    args?: Record<string, unknown>;
    note?: string;
    reason?: string;
  } | null;
}

export const TERMINAL_RUN_STATUSES = ['completed', 'rejected', 'failed', 'cancelled'] as const;
export const RUN_STATUSES = ['running', 'waiting-for-review', ...TERMINAL_RUN_STATUSES] as const;
export const TASK_STATUSES = ['open', 'approved', 'rejected', 'closed'] as const;

export function isTerminal(status: string): boolean {
  return (TERMINAL_RUN_STATUSES as readonly string[]).includes(status);
}

/** The outcome stats of one scope (`GET /v1/stats`; every field is defined in docs/outcomes.md). */
export interface OutcomeStats {
  runs: number;
  outcomes: Record<string, number>;
  ended: number;
  escalated: number;
  reviewed: number;
  corrected: number;
  completionRate: number | null;
  automationRate: number | null;
  escalationRate: number | null;
  correctionRate: number | null;
  topEscalationReasons: Array<{ reason: string; runs: number }>;
  topFailureReasons: Array<{ reason: string; runs: number }>;
  timeToOutcomeMs: { p50: number | null; p95: number | null };
  reviewWaitMs: { p50: number | null; p95: number | null };
  tokens: number;
  tokensPerRun: number | null;
  costUsd: number;
  costPerRunUsd: number | null;
  timeSavedMinutes: number | null;
}

export interface StatsWindow {
  since: string | null;
  until: string | null;
}

/** `GET /v1/stats`: one scope. */
export interface StatsAnswer extends OutcomeStats {
  window: StatsWindow;
  workflowId: string | null;
  version: number | null;
  tenant: string | null;
}

/** `GET /v1/stats?compare=a,b`: two versions of one workflow. */
export interface StatsComparison {
  window: StatsWindow;
  tenant: string | null;
  workflowId: string;
  versions: Array<{ version: number; stats: OutcomeStats }>;
}

/** `GET /v1/dead-letters`: one record in a dead-letter topic, without its value. */
export interface DeadLetterSummary {
  id: string;
  topic: string;
  partition: number;
  offset: string;
  sourceTopic: string;
  reason: string;
  errors: string[];
  consumer: string | null;
  attempts: number | null;
  failedAt: string;
  key: string | null;
  size: number | null;
  replays: number;
  replayedAt: string | null;
  replayedBy: string | null;
}

export interface DeadLetterPage extends Page<DeadLetterSummary> {
  topics: Array<{ topic: string; sourceTopic: string; total: number; open: number }>;
}
