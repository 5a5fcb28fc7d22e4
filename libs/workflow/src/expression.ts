import { evaluate } from './cel/cel.js';

/**
 * Conditions, paths and templates of workflow definitions. A condition is either a CEL
 * expression (text: `args.invoiceId in evidence.invoices.map(i, i.id)`, see cel/cel.ts) or the
 * simple form `{ path, op, value }` on one dotted path of the run's scope
 * (`trigger.data.customerId`, `evidence.invoices.0.amount`). Templates are `{{ path }}`. No
 * code is evaluated: CEL is side-effect free and always terminates.
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

/** The simple form: one path, one operator, one constant. */
export interface PathCondition {
  path: string;
  op: ConditionOp;
  value?: unknown;
}

/** A CEL expression (text) or the simple form. */
export type Condition = PathCondition | string;

/** Whether a condition holds; `{ error }` when it cannot be evaluated on this run. */
export type ConditionResult = boolean | { error: string };

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

/** Whether a condition holds; an expression that cannot be evaluated says why. */
export function evaluateCondition(condition: Condition, scope: Scope): ConditionResult {
  if (typeof condition !== 'string') return testPath(condition, scope);
  const result = evaluate(condition, scope);
  if (!result.ok) return { error: result.error };
  if (typeof result.value !== 'boolean')
    return { error: `is ${shortJson(result.value)}, not true or false` };
  return result.value;
}

/** Whether a condition holds; one that cannot be evaluated does not. */
export function test(condition: Condition, scope: Scope): boolean {
  return evaluateCondition(condition, scope) === true;
}

function testPath(condition: PathCondition, scope: Scope): boolean {
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

/** All conditions hold (an empty list always holds); one that cannot be evaluated does not. */
export function matches(conditions: Condition[], scope: Scope): boolean {
  return conditions.every((condition) => test(condition, scope));
}

/**
 * All conditions, as guards read them (a failing check, an approval): false as soon as one
 * does not hold; otherwise the first that cannot be evaluated, so the guard can fail closed;
 * otherwise true.
 */
export function allHold(conditions: Condition[], scope: Scope): ConditionResult {
  let unknown: { error: string } | undefined;
  for (const [index, condition] of conditions.entries()) {
    const result = evaluateCondition(condition, scope);
    if (result === false) return false;
    if (result !== true && !unknown)
      unknown = { error: `condition ${index} (${describeCondition(condition)}): ${result.error}` };
  }
  return unknown ?? true;
}

/** A condition that did not hold: its index in the list and the value its path had, or why it could not be evaluated. */
export interface FailedCondition {
  index: number;
  condition: Condition;
  actual: unknown;
  error?: string;
}

/** The first condition that does not hold, or undefined when all hold (like `matches`). */
export function firstFailing(conditions: Condition[], scope: Scope): FailedCondition | undefined {
  for (const [index, condition] of conditions.entries()) {
    const result = evaluateCondition(condition, scope);
    if (result === true) continue;
    const actual = typeof condition === 'string' ? undefined : getPath(scope, condition.path);
    return { index, condition, actual, ...(result === false ? {} : { error: result.error }) };
  }
  return undefined;
}

/**
 * Why a condition did not hold, for a reason line: the simple form names the value its path
 * had (`trigger.data.amount gt 0 (the event has -5)`), an expression says it is false or why it
 * could not be evaluated.
 */
export function describeFailure(failed: FailedCondition, holder = 'the run'): string {
  const condition = describeCondition(failed.condition);
  if (failed.error) return `${condition} (could not be evaluated: ${failed.error})`;
  if (typeof failed.condition === 'string') return `${condition} is false`;
  return `${condition} (${holder} has ${shortJson(failed.actual)})`;
}

/** A condition as a reader of the definition would write it: `trigger.data.amount gt 0`. */
export function describeCondition(condition: Condition): string {
  if (typeof condition === 'string') return condition;
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
