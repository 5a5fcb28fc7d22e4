import { cronMatches, parseCron, type CronSchedule } from '@baton/workflow';

const MINUTE_MS = 60_000;
const HOUR_MINUTES = 60;
const DAY_MINUTES = 24 * HOUR_MINUTES;

/** How far back the scheduler catches up, and from when a schedule counts. */
export interface CatchUpLimits {
  now: Date;
  /** The latest tick recorded for the workflow (fired, refused or skipped); none yet: undefined. */
  lastFired?: Date | undefined;
  /**
   * When the scheduler first saw this version of the workflow with its schedule: no tick
   * before it was ever due. Undefined: no such bound (only the window and the cap apply).
   */
  firstSeen?: Date | undefined;
  /** Ticks more than this many minutes before `now` are not fired. */
  catchUpMinutes: number;
  /** At most this many ticks fire in one pass (the most recent ones). */
  maxCatchUp: number;
}

/** Ticks that were due but are not fired: how many, the oldest and the most recent. */
export interface SkippedTicks {
  count: number;
  from: Date;
  until: Date;
}

/** What one pass of the scheduler does with a workflow's schedule. */
export interface TickPlan {
  /** The ticks to fire, oldest first. */
  fire: Date[];
  /** The due ticks older than those, which are not fired; undefined when none. */
  skipped?: SkippedTicks;
}

/**
 * The ticks of a schedule due at `now`: the minute boundaries (UTC) the cron matches after the
 * last recorded tick, at or after the schedule was first seen, and at or before `now`. Of
 * these, the most recent fire — at most `maxCatchUp`, none older than `catchUpMinutes` before
 * `now` — and the older ones are skipped: a service that was down a week fires a few recent
 * ticks, not a week of them, and says what it skipped. A new schedule never fires ticks from
 * before it existed.
 */
export function planTicks(schedule: CronSchedule | string, limits: CatchUpLimits): TickPlan {
  const { now, lastFired, firstSeen, catchUpMinutes, maxCatchUp } = limits;
  const horizon = now.getTime() - catchUpMinutes * MINUTE_MS;
  // A tick at the very millisecond the schedule was first seen counts: it is not before it.
  const after = Math.max(
    lastFired?.getTime() ?? -Infinity,
    firstSeen ? firstSeen.getTime() - 1 : -Infinity,
  );
  // Unbounded only when nothing bounds it: then the window does (as before first-seen existed).
  const start = Number.isFinite(after) ? after : horizon;
  const recent: number[] = [];
  let skipped: { count: number; from: number; until: number } | undefined;
  const skip = (tick: number) => {
    if (skipped) {
      skipped.count++;
      skipped.until = tick;
    } else skipped = { count: 1, from: tick, until: tick };
  };
  for (const tick of fireTimes(schedule, start, now.getTime())) {
    if (tick <= horizon) {
      skip(tick);
      continue;
    }
    recent.push(tick);
    if (recent.length > maxCatchUp) skip(recent.shift()!);
  }
  return {
    fire: recent.map((tick) => new Date(tick)),
    ...(skipped
      ? {
          skipped: {
            count: skipped.count,
            from: new Date(skipped.from),
            until: new Date(skipped.until),
          },
        }
      : {}),
  };
}

/**
 * The fire times (epoch milliseconds, UTC minute boundaries) after `afterMs` and at or before
 * `untilMs`, oldest first, as `cronFireTimes` gives them; it jumps over days and hours the
 * schedule does not match, so a long outage of a weekly schedule costs a few steps, not a
 * step per minute.
 */
export function* fireTimes(
  schedule: CronSchedule | string,
  afterMs: number,
  untilMs: number,
): Generator<number> {
  const s = typeof schedule === 'string' ? parseCron(schedule) : schedule;
  const last = Math.floor(untilMs / MINUTE_MS);
  let minute = Math.floor(afterMs / MINUTE_MS) + 1;
  while (minute <= last) {
    const date = new Date(minute * MINUTE_MS);
    if (!dayMatches(s, date)) {
      minute = (Math.floor(minute / DAY_MINUTES) + 1) * DAY_MINUTES;
    } else if (!s.hours.has(date.getUTCHours())) {
      minute = (Math.floor(minute / HOUR_MINUTES) + 1) * HOUR_MINUTES;
    } else {
      if (cronMatches(s, date)) yield minute * MINUTE_MS;
      minute++;
    }
  }
}

/** Whether the schedule fires on the UTC day of `date` (the day part of cronMatches). */
function dayMatches(s: CronSchedule, date: Date): boolean {
  const dayOfMonth = s.daysOfMonth.has(date.getUTCDate());
  const dayOfWeek = s.daysOfWeek.has(date.getUTCDay());
  return (
    s.months.has(date.getUTCMonth() + 1) &&
    (s.eitherDay ? dayOfMonth || dayOfWeek : dayOfMonth && dayOfWeek)
  );
}
