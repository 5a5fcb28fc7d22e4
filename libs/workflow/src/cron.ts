/**
 * Syntax of the five-field cron schedules a trigger may declare (`trigger.schedule`):
 * `minute hour day-of-month month day-of-week`. Each field is `*`, a number, a range `a-b`,
 * a step (`*` or a range, then `/n`), or a comma-separated list of these, within the field's bounds.
 * Day-of-week 0 and 7 are both Sunday. Names (`MON`, `JAN`) and the `@daily` shorthands are
 * not accepted: one spelling, one meaning.
 *
 * Meaning (`parseCron`, `cronMatches`, `cronFireTimes`): a schedule fires at every minute
 * boundary, in UTC, whose minute, hour, month and day match. The day matches as in Vixie cron:
 * when both day-of-month and day-of-week are restricted (neither field starts with `*`), a day
 * matching either one fires (`0 8 1 * 1`: the 1st of the month and every Monday); otherwise
 * both must match (`0 8 * * 1`: Mondays only). A field stepping over `*` counts as
 * unrestricted, as in Vixie cron.
 */
export const CRON_FIELDS = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12 },
  { name: 'day-of-week', min: 0, max: 7 },
] as const;

const ELEMENT = /^(?:(\*)|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/;

/** What is wrong with a cron expression: empty when it is valid. */
export function cronProblems(expression: string): string[] {
  const fields = expression.trim().split(/\s+/);
  if (expression.trim() === '' || fields.length !== CRON_FIELDS.length) {
    return [
      `expected 5 fields (${CRON_FIELDS.map((f) => f.name).join(' ')}), got ${expression.trim() === '' ? 0 : fields.length}`,
    ];
  }
  return fields.flatMap((field, i) => fieldProblems(field, CRON_FIELDS[i]!));
}

export function isCron(expression: unknown): expression is string {
  return typeof expression === 'string' && cronProblems(expression).length === 0;
}

function fieldProblems(field: string, spec: (typeof CRON_FIELDS)[number]): string[] {
  const bounds = `${spec.min}-${spec.max}`;
  return field.split(',').flatMap((element): string[] => {
    const match = ELEMENT.exec(element);
    if (!match) {
      return [
        `${spec.name} "${element}" is not *, a number, a range a-b, a step */n or a-b/n, or a list of these`,
      ];
    }
    const [, star, from, to, step] = match;
    const problems: string[] = [];
    if (from !== undefined) {
      for (const value of [from, to]) {
        if (value === undefined) continue;
        const n = Number(value);
        if (n < spec.min || n > spec.max)
          problems.push(`${spec.name} ${n} is out of range ${bounds}`);
      }
      if (to !== undefined && Number(from) > Number(to))
        problems.push(`${spec.name} range ${from}-${to} runs backwards`);
      if (step !== undefined && to === undefined)
        return [`${spec.name} "${element}": a step applies to * or a range a-b`];
    }
    if (step !== undefined) {
      const n = Number(step);
      const span = star ? spec.max - spec.min : Number(to ?? from) - Number(from);
      if (n < 1 || n > Math.max(1, span))
        problems.push(`${spec.name} step ${n} must be between 1 and ${Math.max(1, span)}`);
    }
    return problems;
  });
}

/** A parsed cron schedule: the values each field allows (day-of-week 7 folded into 0). */
export interface CronSchedule {
  readonly expression: string;
  readonly minutes: ReadonlySet<number>;
  readonly hours: ReadonlySet<number>;
  readonly daysOfMonth: ReadonlySet<number>;
  readonly months: ReadonlySet<number>;
  readonly daysOfWeek: ReadonlySet<number>;
  /** Both day fields are restricted: a day matching either fires (Vixie cron). */
  readonly eitherDay: boolean;
}

const MINUTE_MS = 60_000;

/** Parses a valid cron expression; throws naming every problem of an invalid one. */
export function parseCron(expression: string): CronSchedule {
  const problems = cronProblems(expression);
  if (problems.length)
    throw new Error(`invalid cron schedule "${expression}": ${problems.join('; ')}`);
  const fields = expression.trim().split(/\s+/);
  const [minutes, hours, daysOfMonth, months, weekdays] = fields.map((field, i) =>
    fieldValues(field, CRON_FIELDS[i]!),
  ) as [Set<number>, Set<number>, Set<number>, Set<number>, Set<number>];
  const daysOfWeek = new Set([...weekdays].map((day) => day % 7));
  return {
    expression: expression.trim(),
    minutes,
    hours,
    daysOfMonth,
    months,
    daysOfWeek,
    eitherDay: !fields[2]!.startsWith('*') && !fields[4]!.startsWith('*'),
  };
}

/** Whether the schedule fires in the UTC minute that holds `date` (seconds are ignored). */
export function cronMatches(schedule: CronSchedule | string, date: Date): boolean {
  const s = typeof schedule === 'string' ? parseCron(schedule) : schedule;
  const dayOfMonth = s.daysOfMonth.has(date.getUTCDate());
  const dayOfWeek = s.daysOfWeek.has(date.getUTCDay());
  return (
    s.minutes.has(date.getUTCMinutes()) &&
    s.hours.has(date.getUTCHours()) &&
    s.months.has(date.getUTCMonth() + 1) &&
    (s.eitherDay ? dayOfMonth || dayOfWeek : dayOfMonth && dayOfWeek)
  );
}

/**
 * The minute boundaries (UTC) after `after` and at or before `until` at which the schedule
 * fires, oldest first. It walks the window minute by minute: callers bound the window.
 */
export function cronFireTimes(
  schedule: CronSchedule | string,
  { after, until }: { after: Date; until: Date },
): Date[] {
  const s = typeof schedule === 'string' ? parseCron(schedule) : schedule;
  const times: Date[] = [];
  const last = Math.floor(until.getTime() / MINUTE_MS);
  for (let minute = Math.floor(after.getTime() / MINUTE_MS) + 1; minute <= last; minute++) {
    const time = new Date(minute * MINUTE_MS);
    if (cronMatches(s, time)) times.push(time);
  }
  return times;
}

function fieldValues(field: string, spec: (typeof CRON_FIELDS)[number]): Set<number> {
  const values = new Set<number>();
  for (const element of field.split(',')) {
    const [, star, from, to, step] = ELEMENT.exec(element)!;
    const low = star ? spec.min : Number(from);
    const high = star ? spec.max : to === undefined ? low : Number(to);
    const by = step === undefined ? 1 : Number(step);
    for (let value = low; value <= high; value += by) values.add(value);
  }
  return values;
}
