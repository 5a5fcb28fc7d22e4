/**
 * The small, safe expression language of workflow definitions: dotted paths into the run's
 * scope (`trigger.data.customerId`, `evidence.invoices.0.amount`, `args.amount`), conditions
 * on them, and `{{ path }}` templates. No code is evaluated.
 */
export const CONDITION_OPS = [
  'eq',
  'ne',
  'gt',
  'gte',
  'lt',
  'lte',
  'exists',
  'missing',
  'in',
  'contains',
] as const;
export type ConditionOp = (typeof CONDITION_OPS)[number];

export interface Condition {
  path: string;
  op: ConditionOp;
  value?: unknown;
}

export type Scope = Record<string, unknown>;

export function getPath(scope: unknown, path: string): unknown {
  let current: unknown = scope;
  for (const part of path.split('.')) {
    if (current === null || current === undefined) return undefined;
    if (Array.isArray(current) && /^\d+$/.test(part)) current = current[Number(part)];
    else if (typeof current === 'object') current = (current as Record<string, unknown>)[part];
    else return undefined;
  }
  return current;
}

const isEmpty = (value: unknown) =>
  value === undefined ||
  value === null ||
  value === '' ||
  (Array.isArray(value) && value.length === 0);

export function test(condition: Condition, scope: Scope): boolean {
  const actual = getPath(scope, condition.path);
  const expected = condition.value;
  switch (condition.op) {
    case 'exists':
      return !isEmpty(actual);
    case 'missing':
      return isEmpty(actual);
    case 'eq':
      return actual === expected;
    case 'ne':
      return actual !== expected;
    case 'gt':
      return typeof actual === 'number' && typeof expected === 'number' && actual > expected;
    case 'gte':
      return typeof actual === 'number' && typeof expected === 'number' && actual >= expected;
    case 'lt':
      return typeof actual === 'number' && typeof expected === 'number' && actual < expected;
    case 'lte':
      return typeof actual === 'number' && typeof expected === 'number' && actual <= expected;
    case 'in':
      return Array.isArray(expected) && expected.includes(actual);
    case 'contains':
      if (typeof actual === 'string' && typeof expected === 'string')
        return actual.toLowerCase().includes(expected.toLowerCase());
      return Array.isArray(actual) && actual.includes(expected);
  }
}

/** All conditions hold (an empty list always holds). */
export function matches(conditions: Condition[], scope: Scope): boolean {
  return conditions.every((condition) => test(condition, scope));
}

/** A condition that did not hold: its index in the list and the value its path had. */
export interface FailedCondition {
  index: number;
  condition: Condition;
  actual: unknown;
}

/** The first condition that does not hold, or undefined when all hold (like `matches`). */
export function firstFailing(conditions: Condition[], scope: Scope): FailedCondition | undefined {
  const index = conditions.findIndex((condition) => !test(condition, scope));
  if (index < 0) return undefined;
  const condition = conditions[index]!;
  return { index, condition, actual: getPath(scope, condition.path) };
}

/** A condition as a reader of the definition would write it: `trigger.data.amount gt 0`. */
export function describeCondition(condition: Condition): string {
  const compared = condition.op === 'exists' || condition.op === 'missing';
  return compared
    ? `${condition.path} ${condition.op}`
    : `${condition.path} ${condition.op} ${shortJson(condition.value)}`;
}

/** A value in a message: JSON, cut at `max` characters; `undefined` is "nothing". */
export function shortJson(value: unknown, max = 80): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

const WHOLE = /^\{\{\s*([\w.-]+)\s*\}\}$/;
const PART = /\{\{\s*([\w.-]+)\s*\}\}/g;

/**
 * Renders templates in a value: `"{{ args.amount }}"` alone yields the value itself (a number
 * stays a number); templates inside longer text are replaced by their text.
 */
export function render(value: unknown, scope: Scope): unknown {
  if (typeof value === 'string') {
    const whole = WHOLE.exec(value);
    if (whole) return getPath(scope, whole[1]!);
    return value.replace(PART, (_, path: string) => {
      const found = getPath(scope, path);
      return found === undefined || found === null
        ? ''
        : typeof found === 'object'
          ? JSON.stringify(found)
          : String(found);
    });
  }
  if (Array.isArray(value)) return value.map((item) => render(item, scope));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, render(item, scope)]),
    );
  }
  return value;
}
