import { readFileSync } from 'node:fs';

/** Baton's version, from the repository's package.json (`baton --version`). */
export function batonVersion(): string {
  const manifest = JSON.parse(
    readFileSync(new URL('../../../package.json', import.meta.url), 'utf8'),
  ) as { version?: unknown };
  if (typeof manifest.version !== 'string') throw new Error('package.json has no version');
  return manifest.version;
}
