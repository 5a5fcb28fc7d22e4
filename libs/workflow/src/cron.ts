/**
 * Syntax of the five-field cron schedules a trigger may declare (`trigger.schedule`):
 * `minute hour day-of-month month day-of-week`. Each field is `*`, a number, a range `a-b`,
 * a step (`*` or a range, then `/n`), or a comma-separated list of these, within the field's bounds.
 * Day-of-week 0 and 7 are both Sunday. Names (`MON`, `JAN`) and the `@daily` shorthands are
 * not accepted: one spelling, one meaning. This checks syntax only; nothing here schedules.
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
