import { EscalationError, EscalationErrorCode } from './escalation-error.js';
import { liveClaim, type TaskRow } from './task.js';

/** Refuses to decide a task that is not open. */
export function assertOpen(task: TaskRow): void {
  const error = notOpen(task);
  if (error) throw error;
}

/** 409 `task-not-open` saying who decided the task or why it closed; undefined while it is open. */
function notOpen(task: TaskRow): EscalationError | undefined {
  if (task.status === 'closed') {
    return new EscalationError(
      EscalationErrorCode.TaskNotOpen,
      `task ${task.id} is closed (${task.closed_reason ?? 'its run ended'} at ${task.closed_at?.toISOString() ?? 'an earlier time'}); only an open task can be decided`,
    );
  }
  if (task.status !== 'open') {
    return new EscalationError(
      EscalationErrorCode.TaskNotOpen,
      `task ${task.id} is ${task.status} (${task.outcome ?? task.status} by ${task.reviewer_name ?? 'someone'} at ${task.decided_at?.toISOString() ?? 'an earlier time'}); only an open task can be decided`,
    );
  }
  return undefined;
}

/** Who acts on a task: the API key's principal (an admin may override another's claim). */
export interface Actor {
  name: string;
  role: string;
}

export const isAdmin = (actor: Actor) => actor.role === 'admin';

/** 409 `task-claimed`: who holds the task, and until when. */
export function claimedError(taskId: string, claim: { by: string; until: Date }): EscalationError {
  return new EscalationError(
    EscalationErrorCode.TaskClaimed,
    `task ${taskId} is claimed by ${claim.by} until ${claim.until.toISOString()}; until then only ${claim.by} (or an admin) may decide or release it`,
  );
}

/**
 * Whether the actor may decide (or release) the task now: nobody else holds a live claim on
 * it, or the actor is an admin, whose decision overrides the claim (returned, to be recorded).
 * Anyone else gets 409 `task-claimed`.
 */
export function claimOverriddenBy(
  task: TaskRow,
  actor: Actor,
  now: Date,
): { claimedBy: string; claimedUntil: string } | undefined {
  const claim = liveClaim(task, now);
  if (!claim || claim.by === actor.name) return undefined;
  if (!isAdmin(actor)) throw claimedError(task.id, claim);
  return { claimedBy: claim.by, claimedUntil: claim.until.toISOString() };
}

/**
 * Why a guarded update of the task (a decision, a claim, a release) changed nothing, from the
 * task as it is now: it is no longer open, or someone else claimed it meanwhile.
 */
export function refusalOf(task: TaskRow, now: Date): EscalationError {
  const closed = notOpen(task);
  if (closed) return closed;
  const claim = liveClaim(task, now);
  if (claim) return claimedError(task.id, claim);
  return new EscalationError(
    EscalationErrorCode.TaskNotOpen,
    `task ${task.id} changed meanwhile; read it again and retry`,
  );
}
