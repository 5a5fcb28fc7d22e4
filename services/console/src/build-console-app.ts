import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const WEB_DIR = fileURLToPath(new URL('../web/', import.meta.url));

/**
 * Builds the single-page app (services/console/web) into `outDir` with Vite: nothing built is
 * committed, the console builds it as it starts (a second or two). Vite runs as a child
 * process, so none of it stays loaded in Baton's process once the files are written.
 */
export async function buildConsoleApp(outDir: string): Promise<void> {
  const vite = join(
    dirname(createRequire(import.meta.url).resolve('vite/package.json')),
    'bin',
    'vite.js',
  );
  await run(
    process.execPath,
    [vite, 'build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'],
    { cwd: WEB_DIR, timeout: 120_000 },
  );
}
