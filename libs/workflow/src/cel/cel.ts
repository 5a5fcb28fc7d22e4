import {
  celEnv,
  isCelError,
  isCelList,
  isCelMap,
  isCelUint,
  parse,
  plan,
  type CelValue,
} from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';
import { checkExpression, variables, type CheckProblem, type Variables } from './cel-checker.js';
import { TEXT_FUNCTIONS } from './text-functions.js';
import type { CheckType } from './cel-type.js';

/**
 * Expressions in workflow definitions are CEL (https://cel.dev), the language of Kubernetes
 * admission policies: side-effect free, always terminating, and typed. Baton evaluates them
 * with @bufbuild/cel over the run's JSON values, with CEL's standard functions, its strings
 * extension (`lowerAscii()`, `trim()`, `split()`, …) and Baton's text methods
 * (`normalizeEmail()`, `asksForSecrets()`, `linksOutside([...])`, …: text-functions.ts).
 */
const environment = celEnv({ funcs: [...strings, ...TEXT_FUNCTIONS] });

export type Evaluated = { ok: true; value: unknown } | { ok: false; error: string };

export interface Expression {
  readonly source: string;
  evaluate(scope: Record<string, unknown>): Evaluated;
}

export type Compiled =
  { ok: true; expression: Expression; type: CheckType } | { ok: false; problems: CheckProblem[] };

/**
 * Parses and type-checks an expression against the variables of the place it is written in.
 * Problems carry their offset in the text; a definition reports them by path.
 */
export function compileExpression(source: string, declared: Variables): Compiled {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(source);
  } catch (error) {
    return { ok: false, problems: [{ message: syntaxMessage(error) }] };
  }
  const checked = checkExpression(parsed, declared);
  if (checked.problems.length) return { ok: false, problems: checked.problems };
  return { ok: true, expression: program(source, parsed), type: checked.type };
}

// Definitions are few and fixed, so their expressions are compiled once per process.
const CACHE_LIMIT = 10_000;
const cache = new Map<string, Expression | CheckProblem[]>();

/**
 * The expression of a definition that passed validation, compiled once and cached. Any name is
 * accepted here: the definition was checked when it was loaded. An expression that does not
 * even parse evaluates to an error (it never holds, it never passes a guard).
 */
export function expressionOf(source: string): Expression {
  let found = cache.get(source);
  if (!found) {
    if (cache.size >= CACHE_LIMIT) cache.clear();
    const compiled = compileExpression(source, variables({}, true));
    found = compiled.ok ? compiled.expression : compiled.problems;
    cache.set(source, found);
  }
  if (!Array.isArray(found)) return found;
  const problems = found;
  return {
    source,
    evaluate: () => ({ ok: false, error: problems.map((problem) => problem.message).join('; ') }),
  };
}

/** Evaluates an expression of a definition against a scope: its value as plain JSON, or why not. */
export function evaluate(source: string, scope: Record<string, unknown>): Evaluated {
  return expressionOf(source).evaluate(scope);
}

function program(source: string, parsed: ReturnType<typeof parse>): Expression {
  const run = plan(environment, parsed);
  return {
    source,
    evaluate(scope) {
      let result: ReturnType<typeof run>;
      try {
        result = run(bindings(scope));
      } catch (error) {
        return { ok: false, error: error instanceof Error ? error.message : String(error) };
      }
      if (isCelError(result)) return { ok: false, error: runtimeMessage(result.message) };
      return { ok: true, value: toPlain(result as CelValue) };
    },
  };
}

/** Top-level names bound to their values; `undefined` (an absent part of the scope) is left out. */
function bindings(scope: Record<string, unknown>): Record<string, never> {
  const bound: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(scope)) {
    if (value !== undefined) bound[name] = plainJson(value);
  }
  return bound as Record<string, never>;
}

// Decoded envelopes hold class instances (TriggerSnapshot, StepRecord, …), which CEL refuses
// as input; their plain copies are kept per object, so a run's scope is copied once however
// many expressions read it. Plain parts are kept as they are.
const plainCopies = new WeakMap<object, unknown>();

function plainJson(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  const cached = plainCopies.get(value);
  if (cached !== undefined) return cached;
  let result: unknown;
  if (Array.isArray(value)) {
    const items = value.map(plainJson);
    result = items.every((item, i) => item === value[i]) ? value : items;
  } else {
    const prototype = Object.getPrototypeOf(value) as unknown;
    const plain = prototype === Object.prototype || prototype === null;
    let changed = !plain;
    const entries: Array<[string, unknown]> = [];
    for (const [key, item] of Object.entries(value)) {
      if (item === undefined) {
        changed = true;
        continue;
      }
      const copy = plainJson(item);
      if (copy !== item) changed = true;
      entries.push([key, copy]);
    }
    result = changed ? Object.fromEntries(entries) : value;
  }
  plainCopies.set(value, result);
  return result;
}

/** A CEL value as plain JSON: whole numbers as numbers, lists as arrays, maps as objects. */
export function toPlain(value: CelValue): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (isCelUint(value)) return Number(value.value);
  if (isCelList(value)) return [...value].map(toPlain);
  if (isCelMap(value)) {
    return Object.fromEntries([...value].map(([key, item]) => [String(key), toPlain(item)]));
  }
  return value;
}

function syntaxMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return `not a valid expression: ${message.replace(/^<input>:\d+:\d+: /, '')}`;
}

function runtimeMessage(message: string): string {
  const missing = /^field not found: (.+)$/.exec(message) ?? /^no such key: (.+)$/.exec(message);
  return missing ? `the run has no "${missing[1]}"` : message;
}
