// The review API's task, as the page reads it (docs/http-api.md#get-v1tasksid-reviewer), and
// the inbox's order.

export interface Highlight {
  path: string;
  value: unknown;
  missing?: true;
}

export interface Proposal {
  next: string;
  tool?: string;
  args?: Record<string, unknown>;
  label: string;
  confidence: number;
  rationale: string;
  decidedBy: string;
}

export interface TaskSummary {
  id: string;
  runId: string;
  workflow: { id: string; version: number };
  queue: string;
  status: 'open' | 'approved' | 'rejected' | 'closed';
  reason: string;
  proposal: Proposal | null;
  createdAt: string;
  slaDueAt: string | null;
  overdue: boolean;
  claimedBy: string | null;
  claimedUntil: string | null;
  highlights: Highlight[];
}

export interface Evidence {
  source: string;
  kind: string;
  ref?: string;
  content: unknown;
  weak: boolean;
  note?: string;
  failed?: boolean;
}

export interface StepRecord {
  name: string;
  kind: string;
  seq: number;
  outcome: string;
}

export interface TaskDetail extends TaskSummary {
  trigger: { eventType: string; data: Record<string, unknown>; receivedAt: string };
  evidence: Evidence[];
  weakEvidence: boolean;
  history: StepRecord[];
  closedReason: string | null;
  decision: {
    outcome: string;
    reviewer: { name: string; role: string };
    decidedAt: string;
    args?: Record<string, unknown>;
    reason?: string;
  } | null;
}

export interface TaskPage {
  items: TaskSummary[];
  nextCursor: string | null;
}

/**
 * The inbox's order within a queue: past their SLA first, then the SLA that passes soonest,
 * then the oldest (a task with no SLA left waits behind those with one).
 */
export function inboxOrder(a: TaskSummary, b: TaskSummary): number {
  if (a.overdue !== b.overdue) return a.overdue ? -1 : 1;
  const due = (task: TaskSummary) =>
    task.slaDueAt ? Date.parse(task.slaDueAt) : Number.POSITIVE_INFINITY;
  if (due(a) !== due(b)) return due(a) - due(b);
  return Date.parse(a.createdAt) - Date.parse(b.createdAt);
}

/** Open tasks by queue (queues by name), each queue in inbox order. */
export function byQueue(tasks: TaskSummary[]): Array<{ queue: string; tasks: TaskSummary[] }> {
  const queues = new Map<string, TaskSummary[]>();
  for (const task of tasks) queues.set(task.queue, [...(queues.get(task.queue) ?? []), task]);
  return [...queues]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([queue, list]) => ({ queue, tasks: [...list].sort(inboxOrder) }));
}

/**
 * What the reviewer typed for one argument, as the value to send: read as the original's
 * type (a number stays a number, an object is JSON), so an edit changes one value and not
 * its kind. An entry that cannot be read so is a problem shown beside the field.
 */
export function parseEdit(
  original: unknown,
  typed: string,
): { ok: true; value: unknown } | { ok: false; problem: string } {
  if (typeof original === 'string') return { ok: true, value: typed };
  if (typeof original === 'number') {
    const value = Number(typed.trim());
    return typed.trim() !== '' && Number.isFinite(value)
      ? { ok: true, value }
      : { ok: false, problem: `"${typed}" is not a number` };
  }
  try {
    return { ok: true, value: JSON.parse(typed) as unknown };
  } catch {
    return { ok: false, problem: 'not valid JSON' };
  }
}
