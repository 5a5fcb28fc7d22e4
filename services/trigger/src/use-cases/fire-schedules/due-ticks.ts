import { cronFireTimes, type CronSchedule } from '@baton/workflow';

const MINUTE_MS = 60_000;

/**
 * The ticks of a schedule that are due at `now`: the minute boundaries (UTC) the cron matches
 * after the last fired tick and at or before `now`, but none older than `catchUpMinutes` before
 * `now` — a service that was down a week fires the last hour's ticks, not a week of them.
 * Oldest first.
 */
export function dueTicks(
  schedule: CronSchedule | string,
  options: { now: Date; lastFired?: Date | undefined; catchUpMinutes: number },
): Date[] {
  const { now, lastFired, catchUpMinutes } = options;
  const horizon = now.getTime() - catchUpMinutes * MINUTE_MS;
  const after = new Date(Math.max(horizon, lastFired?.getTime() ?? horizon));
  return cronFireTimes(schedule, { after, until: now });
}
