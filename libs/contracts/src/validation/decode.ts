import { plainToInstance, type ClassConstructor } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';

/** The outcome of decoding untrusted input into a validated contract class. */
export type Decoded<T> = { ok: true; value: T } | { ok: false; errors: string[] };

/**
 * Turns a parsed JSON value into an instance of `cls` and validates it, once, at the edge.
 * Every error names its path (`payload.trigger.data`) so a producer can find the field.
 */
export function decodeAs<T extends object>(cls: ClassConstructor<T>, plain: unknown): Decoded<T> {
  if (plain === null || typeof plain !== 'object' || Array.isArray(plain)) {
    return { ok: false, errors: [`(root): expected a JSON object, got ${describe(plain)}`] };
  }
  const value = plainToInstance(cls, plain);
  const errors = validateSync(value, {
    forbidUnknownValues: true,
    validationError: { target: false, value: true },
  });
  return errors.length === 0 ? { ok: true, value } : { ok: false, errors: flatten(errors) };
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
