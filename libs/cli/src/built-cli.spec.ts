import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli, freshBuild } from '../bin/built-cli.mjs';

// The built CLI that `npm install` makes (libs/cli/bin/built-cli.mjs), built here into a folder
// of its own, and the launcher that picks it or the sources.
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  version: string;
  scripts: Record<string, string>;
};
const run = promisify(execFile);
const node = (args: string[]) =>
  run(process.execPath, args, { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' } });

describe('the built CLI', () => {
  let dir: string;
  let entry: string;
  beforeAll(async () => {
    dir = join(mkdtempSync(join(tmpdir(), 'baton-cli-build-')), 'dist');
    entry = await buildCli({ outDir: dir });
  }, 60_000);
  afterAll(() => rmSync(join(dir, '..'), { recursive: true, force: true }));

  it('is what `npm install` builds (the root prepare script)', () => {
    expect(manifest.scripts['prepare']).toBe('node libs/cli/bin/built-cli.mjs');
  });

  it('starts on its own: --version reads package.json from where the sources are', async () => {
    const { stdout, stderr } = await node([entry, '--version']);
    expect(stdout).toBe(`baton ${manifest.version}\n`);
    expect(stderr).toBe('');
  });

  it('loads what it loads lazily: validate checks a definition', async () => {
    const { stdout } = await node([entry, 'validate', 'workflows/billing-dispute']);
    expect(stdout).toContain('billing-dispute v');
    expect(stdout).toContain('1 definition valid');
  });

  it('is fresh until a file it was built from changes or goes', () => {
    expect(freshBuild(dir)).toBe(entry);
    const file = join(dir, 'build.json');
    const built = JSON.parse(readFileSync(file, 'utf8')) as { builtAt: number; inputs: string[] };
    expect(built.inputs).toEqual(
      expect.arrayContaining([
        'libs/cli/src/main.ts',
        'libs/workflow/src/index.ts',
        'package-lock.json',
        'libs/cli/bin/built-cli.mjs',
      ]),
    );
    // Built before the sources were last written: stale.
    writeFileSync(file, JSON.stringify({ ...built, builtAt: 0 }));
    expect(freshBuild(dir)).toBeUndefined();
    writeFileSync(
      file,
      JSON.stringify({ ...built, inputs: [...built.inputs, 'libs/cli/gone.ts'] }),
    );
    expect(freshBuild(dir)).toBeUndefined();
    writeFileSync(file, JSON.stringify(built));
    expect(freshBuild(dir)).toBe(entry);
    expect(freshBuild(join(dir, 'none'))).toBeUndefined();
  });
});

describe('the launcher (libs/cli/bin/baton.mjs)', () => {
  it('answers --version, from the build or the sources', async () => {
    const { stdout } = await node(['libs/cli/bin/baton.mjs', '--version']);
    expect(stdout).toBe(`baton ${manifest.version}\n`);
  });
});
