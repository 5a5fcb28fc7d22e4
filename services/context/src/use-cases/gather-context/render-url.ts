import { absent, getPath, type Scope } from '@baton/workflow';

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
