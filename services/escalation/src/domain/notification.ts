import { IsIn, IsInt, IsISO8601, IsString, Min } from 'class-validator';
import { Nullable } from '@baton/contracts';

/**
 * Webhook notifications of the escalation chain (`escalation.onBreach[].notify`): what is
 * stored per notification, what the receiver gets, and which hosts may receive it.
 */

/**
 * pending: recorded with the move, not sent yet; sending: an instance is delivering it (until
 * `lease_until`); delivered: answered 2xx; failed: every attempt failed; refused: not sent,
 * its host is not allowed.
 */
export const NOTIFICATION_STATUSES = [
  'pending',
  'sending',
  'delivered',
  'failed',
  'refused',
] as const;
export type NotificationStatus = (typeof NOTIFICATION_STATUSES)[number];

/**
 * The JSON a webhook receives: ids, the workflow, the queue and why, never the customer's
 * text or the evidence. `notificationId` is the same on every attempt, for de-duplication.
 */
export interface WebhookBody {
  type: 'baton.task.escalated';
  notificationId: string;
  taskId: string;
  runId: string;
  workflow: { id: string; version: number };
  tenantId: string;
  /** The queue the task is in now. */
  queue: string;
  previousQueue: string;
  /** The `onBreach` step (1 for the first). */
  step: number;
  reason: string;
  /** The task's new SLA. */
  slaDueAt: string | null;
  at: string;
}

/** What one delivery (all its attempts) came to. */
export interface DeliveryOutcome {
  status: Extract<NotificationStatus, 'delivered' | 'failed'>;
  attempts: number;
  /** The last answer's status; null when no answer came. */
  httpStatus: number | null;
  /** Why the last attempt failed; null when delivered. */
  error: string | null;
}

/** How a notification ended: delivered or failed, or refused (never sent). */
export type NotificationOutcome =
  DeliveryOutcome | { status: Extract<NotificationStatus, 'refused'>; error: string };

/** A row of `task_notifications`, as pg returns it. */
export interface NotificationRow {
  id: string;
  task_id: string;
  step: number;
  url: string;
  body: WebhookBody;
  status: NotificationStatus;
  attempts: number;
  http_status: number | null;
  error: string | null;
  created_at: Date;
  lease_until: Date | null;
  finished_at: Date | null;
}

/** A notification as the task shows it: the host only (a webhook's path may hold its secret). */
export class NotificationSummary {
  @IsString() id!: string;
  @IsInt() @Min(1) step!: number;
  @IsString() host!: string;
  @IsIn(NOTIFICATION_STATUSES) status!: NotificationStatus;
  @IsInt() @Min(0) attempts!: number;
  @Nullable('The HTTP status of the last attempt; null before any answer.')
  @IsInt()
  httpStatus!: number | null;
  @Nullable('Why the last attempt failed; null when it did not.') @IsString() error!: string | null;
  @IsISO8601() createdAt!: string;
  @Nullable() @IsISO8601() finishedAt!: string | null;
}

export function toNotificationSummary(row: NotificationRow): NotificationSummary {
  return {
    id: row.id,
    step: row.step,
    host: webhookHost(row.url) ?? '(not a URL)',
    status: row.status,
    attempts: row.attempts,
    httpStatus: row.http_status,
    error: row.error,
    createdAt: row.created_at.toISOString(),
    finishedAt: row.finished_at?.toISOString() ?? null,
  };
}

/** The host name of a URL, lowercase, without IPv6 brackets; undefined when it is not a URL. */
export function webhookHost(url: string): string | undefined {
  try {
    return new URL(url).hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  } catch {
    return undefined;
  }
}

/**
 * Whether a webhook may be sent: http or https, to a host that `BATON_NOTIFY_ALLOWED_HOSTS`
 * names (exactly, or as `*.domain` for the hosts under it). Undefined when it may; otherwise why not.
 */
export function webhookRefusal(url: string, allowedHosts: readonly string[]): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'not an absolute URL';
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
    return `${parsed.protocol.slice(0, -1)} is not http or https`;
  const host = webhookHost(url)!;
  const allowed = allowedHosts.some((entry) => {
    const pattern = entry
      .trim()
      .toLowerCase()
      .replace(/^\[(.*)\]$/, '$1');
    if (pattern.startsWith('*.')) return host.endsWith(pattern.slice(1));
    return pattern === host;
  });
  if (allowed) return undefined;
  return allowedHosts.length
    ? `host ${host} is not in BATON_NOTIFY_ALLOWED_HOSTS`
    : `host ${host} is not allowed: BATON_NOTIFY_ALLOWED_HOSTS is empty`;
}
