import { getPath, type Scope } from '@baton/workflow';

export interface BoundParams {
  /** `$1, $2, …` in order; a path that finds nothing binds NULL. */
  values: unknown[];
  /** Paths that found nothing (undefined, null or empty text). */
  missing: string[];
}

const absent = (value: unknown) => value === undefined || value === null || value === '';

/** Values for a source's `params` (dotted paths into the scope), never spliced into SQL text. */
export function bindParams(paths: readonly string[], scope: Scope): BoundParams {
  const missing: string[] = [];
  const values = paths.map((path) => {
    const value = getPath(scope, path);
    if (absent(value)) {
      missing.push(path);
      return null;
    }
    return value;
  });
  return { values, missing };
}

const PART = /\{\{\s*([\w.-]+)\s*\}\}/g;

/**
 * Renders an http source's URL template. Unlike `render`, each value is URL-encoded, so a
 * value from the trigger cannot change the path or add query parameters.
 */
export function renderUrl(template: string, scope: Scope): { url: string; missing: string[] } {
  const missing: string[] = [];
  const url = template.replace(PART, (_, path: string) => {
    const value = getPath(scope, path);
    if (absent(value) || typeof value === 'object') {
      missing.push(path);
      return '';
    }
    return encodeURIComponent(String(value));
  });
  return { url, missing };
}
