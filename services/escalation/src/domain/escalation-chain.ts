import type { EscalationSpec } from '@baton/workflow';
import { webhookHost, type WebhookBody } from './notification.js';
import type { Reviewer, TaskMove, TaskRow } from './task.js';

/** Who the system's own decisions are recorded as: a reject fallback is not a person's. */
export const SLA_FALLBACK: Reviewer = { name: 'sla-fallback', role: 'system' };

/** The reason of a reject or cancel fallback that names none. */
export const DEFAULT_FALLBACK_REASON = 'No reviewer decided within the SLA chain.';

/**
 * What an SLA breach does to a task, from the workflow's `escalation` (docs/workflows.md):
 * - `step`: the next `onBreach` step (the `step`-th, 1-based): to its queue (or stay), a new
 *   SLA, and its webhook if it has one;
 * - `reject` / `cancel` / `leave`: the fallback, once every step has applied;
 * - `overdue`: nothing is declared (any more): the task stays where it is, marked.
 * `why` says what passed: `SLA of 240 min in queue billing passed (due …)`.
 */
export type BreachAction =
  | {
      kind: 'step';
      step: number;
      of: number;
      from: string;
      to: string;
      slaDueAt: Date;
      webhook?: string;
      why: string;
    }
  | { kind: 'reject'; reason: string; why: string }
  | { kind: 'cancel'; reason: string; why: string }
  | { kind: 'leave'; from: string; to: string; why: string }
  | { kind: 'overdue'; why: string };

export type ChainTask = Pick<
  TaskRow,
  'id' | 'queue' | 'chain_step' | 'created_at' | 'sla_due_at' | 'moves'
>;

/** The action for a task whose SLA has passed (its `sla_due_at` is set and behind `now`). */
export function breachActionFor(
  task: ChainTask,
  escalation: EscalationSpec,
  now: Date,
): BreachAction {
  const why = breachWhy(task);
  const steps = escalation.onBreach ?? [];
  const next = steps[task.chain_step];
  if (next) {
    return {
      kind: 'step',
      step: task.chain_step + 1,
      of: steps.length,
      from: task.queue,
      to: next.moveTo ?? task.queue,
      slaDueAt: new Date(now.getTime() + next.slaMinutes * 60_000),
      ...(next.notify ? { webhook: next.notify.webhook } : {}),
      why,
    };
  }
  const fallback = escalation.fallback;
  switch (fallback?.action) {
    case 'reject':
    case 'cancel':
      return { kind: fallback.action, reason: fallback.reason ?? DEFAULT_FALLBACK_REASON, why };
    case 'leave':
      return { kind: 'leave', from: task.queue, to: fallback.queue ?? task.queue, why };
    case undefined:
      return { kind: 'overdue', why };
  }
}

/** The SLA that passed: its length (since the task was created or last moved), queue and due time. */
export function breachWhy(task: ChainTask): string {
  const since = task.moves.at(-1)?.at ?? task.created_at.toISOString();
  const due = task.sla_due_at ?? new Date(since);
  const minutes = Math.round((due.getTime() - Date.parse(since)) / 60_000);
  return `SLA of ${minutes} min in queue ${task.queue} passed (due ${due.toISOString()})`;
}

/** What the run ledger is told (`run.waiting`) when a task moves, or stays overdue. */
export function breachEventReason(
  task: Pick<TaskRow, 'id'>,
  action: Extract<BreachAction, { kind: 'step' | 'leave' | 'overdue' }>,
): string {
  const head = `SLA breached: review task ${task.id}: ${action.why}`;
  switch (action.kind) {
    case 'step': {
      const where =
        action.to === action.from ? `stays in ${action.to}` : `moved to queue ${action.to}`;
      const notified = action.webhook ? `; notifying ${webhookHost(action.webhook)}` : '';
      return `${head}; escalation step ${action.step} of ${action.of}: ${where}, due ${action.slaDueAt.toISOString()}${notified}`;
    }
    case 'leave':
      return `${head}; the escalation chain ended: left in queue ${action.to} with no further SLA`;
    case 'overdue':
      return `${head}; the workflow declares no further escalation: it stays there, overdue`;
  }
}

/** The record of a move on the task (`moves`). */
export function moveRecord(
  action: Extract<BreachAction, { kind: 'step' | 'leave' }>,
  at: Date,
  releasedClaimOf: string | undefined,
): TaskMove {
  return {
    step: action.kind === 'step' ? action.step : 'fallback',
    from: action.from,
    to: action.to,
    at: at.toISOString(),
    why: action.why,
    slaDueAt: action.kind === 'step' ? action.slaDueAt.toISOString() : null,
    ...(releasedClaimOf ? { releasedClaimOf } : {}),
  };
}

/** What the webhook of a chain step receives: ids, the workflow, the queue and why, no case data. */
export function escalatedWebhookBody(
  task: Pick<TaskRow, 'id' | 'run_id' | 'workflow_id' | 'workflow_version' | 'tenant_id'>,
  action: Extract<BreachAction, { kind: 'step' }>,
  notificationId: string,
  at: Date,
): WebhookBody {
  return {
    type: 'baton.task.escalated',
    notificationId,
    taskId: task.id,
    runId: task.run_id,
    workflow: { id: task.workflow_id, version: task.workflow_version },
    tenantId: task.tenant_id,
    queue: action.to,
    previousQueue: action.from,
    step: action.step,
    reason: action.why,
    slaDueAt: action.slaDueAt.toISOString(),
    at: at.toISOString(),
  };
}
