import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { settingsReference } from './settings-reference.js';

describe('generated docs', () => {
  it('docs/settings.md matches the config classes (run `npm run docs:generate` after changing a setting)', () => {
    expect(readFileSync(new URL('../docs/settings.md', import.meta.url), 'utf8')).toBe(
      settingsReference(),
    );
  });
});
