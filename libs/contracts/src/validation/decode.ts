import { plainToInstance, type ClassConstructor } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import { compileFastPath, type FastCheck, type FastPath } from './fast-path.js';

export { JsonValue } from './json-value.js';

/** The outcome of decoding untrusted input into a validated contract class. */
export type Decoded<T> = { ok: true; value: T } | { ok: false; errors: string[] };

/**
 * What any decoded message or request body must keep to, checked before anything walks it:
 * objects and arrays nested at most `depth` levels, object keys at most `keyLength` characters.
 * Any key name is data (`constructor` and `__proto__` too); size is bounded where the bytes
 * arrive (the HTTP body limit, the broker's message size).
 */
export const JSON_LIMITS = { depth: 64, keyLength: 256 } as const;

/** The largest integer a Postgres `integer` column holds: counts and versions stay within it. */
export const INT32_MAX = 2_147_483_647;

/**
 * Turns a parsed JSON value into an instance of `cls` and validates it, once, at the edge.
 * Every error names its path (`payload.trigger.data`) so a producer can find the field. Never
 * throws: whatever the input, the answer is a value or errors (a poison record must end in a
 * dead letter, a bad request in a 400).
 *
 * For a class given to useFastPath, a compiled JSON Schema checks the input first: when it
 * accepts, class-validator would too (the schema is exact or stricter, rule by rule, and a
 * differential test holds it to that), so validateSync is skipped. When it does not,
 * class-validator decides, so the answer and its errors are the same either way.
 */
export function decodeAs<T extends object>(cls: ClassConstructor<T>, plain: unknown): Decoded<T> {
  if (plain === null || typeof plain !== 'object' || Array.isArray(plain)) {
    return { ok: false, errors: [`(root): expected a JSON object, got ${describe(plain)}`] };
  }
  const shape = findShapeProblems(plain);
  if (shape.length > 0) return { ok: false, errors: shape };
  const fast = fastPathsOn ? fastCheckOf(cls) : undefined;
  const certainlyValid = fast !== undefined && fast(plain);
  try {
    const value = plainToInstance(cls, plain);
    if (certainlyValid) return { ok: true, value };
    const errors = validateSync(value, {
      forbidUnknownValues: true,
      validationError: { target: false, value: true },
    });
    return errors.length === 0 ? { ok: true, value } : { ok: false, errors: flatten(errors) };
  } catch (error) {
    // A contract class that cannot take some input is a bug here, not the sender's: still a
    // decode error (with the error's name only, never input text), so nothing retries it.
    return {
      ok: false,
      errors: [`(root): could not be decoded (${error instanceof Error ? error.name : 'error'})`],
    };
  }
}

/** The classes decodeAs checks with a compiled schema first; compiled at their first decode. */
const fastPaths = new Map<abstract new (...args: never[]) => object, FastPath | undefined>();
let fastPathsOn = true;

/**
 * Has decodeAs check `classes` with a compiled JSON Schema before class-validator (see
 * decodeAs): the message classes, whose decode is on every hop. A class whose decorators the
 * schema cannot express exactly (fastPathProblems) keeps the class-validator path.
 */
export function useFastPath(...classes: Array<abstract new (...args: never[]) => object>): void {
  for (const cls of classes) if (!fastPaths.has(cls)) fastPaths.set(cls, undefined);
}

/** Why `cls` has no fast path (an empty list: it has one). Compiles it if need be. */
export function fastPathProblems(cls: abstract new (...args: never[]) => object): string[] {
  return (fastPaths.get(cls) ?? compileFastPath(cls)).problems;
}

/** Runs `decode` with class-validator alone, as before the fast path: for tests and benchmarks. */
export function withoutFastPath<T>(decode: () => T): T {
  const was = fastPathsOn;
  fastPathsOn = false;
  try {
    return decode();
  } finally {
    fastPathsOn = was;
  }
}

function fastCheckOf(cls: abstract new (...args: never[]) => object): FastCheck | undefined {
  if (!fastPaths.has(cls)) return undefined;
  let fast = fastPaths.get(cls);
  if (fast === undefined) {
    fast = compileFastPath(cls);
    fastPaths.set(cls, fast);
  }
  return fast.check;
}

/**
 * Names what breaks `limits`: nesting deeper than `depth` (once, at the first path that does),
 * keys longer than `keyLength`. `path` names where `value` sits. Iterative, so no input can
 * exhaust the stack.
 */
export function findShapeProblems(
  value: unknown,
  limits: { depth: number; keyLength: number } = JSON_LIMITS,
  path = '',
): string[] {
  const problems: string[] = [];
  const pending: Array<{ value: unknown; path: string; depth: number }> = [
    { value, path, depth: 0 },
  ];
  let tooDeep = false;
  while (pending.length > 0 && problems.length < MAX_TEXT_PROBLEMS) {
    const { value: current, path: at, depth } = pending.pop()!;
    if (current === null || typeof current !== 'object') continue;
    if (depth >= limits.depth) {
      if (!tooDeep)
        problems.push(`${shortPath(at)}: nested more than ${limits.depth} levels deep (the limit)`);
      tooDeep = true;
      continue;
    }
    const isArray = Array.isArray(current);
    const entries: Array<[string, unknown]> = isArray
      ? current.map((item, index) => [String(index), item])
      : Object.entries(current);
    for (const [key, child] of entries) {
      let segment = key;
      if (!isArray && key.length > limits.keyLength) {
        segment = `${JSON.stringify(key.slice(0, 20)).slice(0, -1)}…"`;
        problems.push(
          `${shortPath(at)}: key ${segment} is ${key.length} characters long, over the limit of ${limits.keyLength}`,
        );
      }
      pending.push({ value: child, path: at ? `${at}.${segment}` : segment, depth: depth + 1 });
    }
  }
  return problems;
}

/** A path short enough for an error line: its start and its end. */
function shortPath(path: string): string {
  if (!path) return '(root)';
  return path.length <= 120 ? path : `${path.slice(0, 50)}…${path.slice(-50)}`;
}

/** Parses JSON text, reporting a syntax error as a decode error rather than throwing. */
export function parseJson(text: string): Decoded<unknown> {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, errors: [`(root): not valid JSON: ${(error as Error).message}`] };
  }
}

function flatten(errors: ValidationError[], parent = ''): string[] {
  return errors.flatMap((error) => {
    const path = parent ? `${parent}.${error.property}` : error.property;
    // A missing field breaks every rule on it; one message says what is wrong.
    if (error.value === undefined && error.constraints) return [`${path}: is required`];
    const own = Object.values(error.constraints ?? {}).map((message) => `${path}: ${message}`);
    return [...own, ...flatten(error.children ?? [], path)];
  });
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}

/** Problems beyond this many are summed up in one line: a body full of NULs gets a short answer. */
const MAX_TEXT_PROBLEMS = 20;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Names every string, key or value, that Postgres cannot store: a NUL character (U+0000;
 * `jsonb` and `text` refuse it) or an unpaired UTF-16 surrogate (not valid Unicode, so not
 * valid UTF-8 either). Such text in untrusted input is refused at the edge, by path
 * (`data.message: contains a NUL character (U+0000), which cannot be stored`), rather than
 * failing the insert later. A key at fault is named by the path of its object, and quoted with
 * JSON escapes, so the problem line itself holds neither character.
 */
export function findUnstorableText(value: unknown): string[] {
  const problems: string[] = [];
  // Iterative, so deeply nested input cannot exhaust the stack.
  const pending: Array<{ value: unknown; path: string }> = [{ value, path: '' }];
  let more = 0;
  const report = (line: string) => {
    if (problems.length < MAX_TEXT_PROBLEMS) problems.push(line);
    else more += 1;
  };
  while (pending.length > 0) {
    const { value: current, path } = pending.pop()!;
    if (typeof current === 'string') {
      const what = unstorable(current);
      if (what) report(`${path || '(root)'}: contains ${what}, which cannot be stored`);
      continue;
    }
    if (current === null || typeof current !== 'object') continue;
    const isArray = Array.isArray(current);
    const entries: Array<[string, unknown]> = isArray
      ? current.map((item, index) => [String(index), item])
      : Object.entries(current);
    const children: Array<{ value: unknown; path: string }> = [];
    for (const [key, child] of entries) {
      const what = isArray ? undefined : unstorable(key);
      if (what)
        report(
          `${path || '(root)'}: key ${JSON.stringify(key)} contains ${what}, which cannot be stored`,
        );
      const segment = what ? JSON.stringify(key) : key;
      children.push({ value: child, path: path ? `${path}.${segment}` : segment });
    }
    // Reversed onto the stack, so problems come out in document order.
    pending.push(...children.reverse());
  }
  if (more > 0)
    problems.push(`(root): ${more} more string${more === 1 ? '' : 's'} that cannot be stored`);
  return problems;
}

/** What makes `text` unstorable, or undefined when Postgres can store it. */
function unstorable(text: string): string | undefined {
  const found: string[] = [];
  if (text.includes('\u0000')) found.push('a NUL character (U+0000)');
  const surrogate = LONE_SURROGATE.exec(text);
  if (surrogate) {
    const code = surrogate[0].charCodeAt(0).toString(16).toUpperCase();
    found.push(`an unpaired UTF-16 surrogate (U+${code}, not valid Unicode)`);
  }
  return found.length ? found.join(' and ') : undefined;
}
