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
