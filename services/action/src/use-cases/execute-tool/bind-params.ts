import { getPath, type Scope } from '@baton/workflow';

/**
 * Values for a tool's `params` (dotted paths into `{ args, key, run, trigger }`), bound to
 * `$1, $2, …` and never spliced into SQL text. A path that finds nothing binds NULL: the
 * required arguments were checked before, and the statement's constraints judge the rest.
 */
export function bindParams(paths: readonly string[], scope: Scope): unknown[] {
  return paths.map((path) => getPath(scope, path) ?? null);
}
