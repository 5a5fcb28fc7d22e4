import { getPath, type Scope } from './expression.js';

export interface BoundParams {
  /** `$1, $2, …` in order; a path that finds nothing binds NULL. */
  values: unknown[];
  /** Paths that found nothing (undefined, null or empty text). */
  missing: string[];
}

/** Whether a bound value counts as absent: undefined, null or empty text. */
export const absent = (value: unknown): boolean =>
  value === undefined || value === null || value === '';

/**
 * Values for a tool's or a source's `params` (dotted paths into its scope), bound to
 * `$1, $2, …` and never spliced into SQL text. A path that finds nothing binds NULL and is
 * named in `missing`: a source does not run without them; a tool's required arguments were
 * checked before, and its statement's constraints judge the rest.
 */
export function bindParams(paths: readonly string[], scope: Scope): BoundParams {
  const missing: string[] = [];
  const values = paths.map((path) => {
    const value = getPath(scope, path);
    if (absent(value)) missing.push(path);
    return value ?? null;
  });
  return { values, missing };
}
