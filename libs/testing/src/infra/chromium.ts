import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Where Debian's `chromium` package puts the browser. */
export const CHROMIUM = '/usr/bin/chromium';

/**
 * Debian's `chromium` package, for the browser tests (driven by playwright-core, which never
 * downloads a browser of its own), installed the way kcat and prometheus are when missing:
 * `apt-get install -y chromium` as root, else an error saying so. Resolves with its path.
 */
export async function ensureChromium(): Promise<string> {
  const present = () =>
    run(CHROMIUM, ['--version']).then(
      () => true,
      () => false,
    );
  if (await present()) return CHROMIUM;
  if (process.getuid?.() !== 0)
    throw new Error('chromium is missing: install it with `apt-get install chromium`');
  process.stdout.write('installing chromium (apt-get install chromium)…\n');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = () =>
    run('apt-get', ['install', '-y', '-q', '--no-install-recommends', 'chromium'], {
      env,
      timeout: 900_000,
    });
  await install().catch(async () => {
    await run('apt-get', ['update', '-q']);
    await install();
  });
  return CHROMIUM;
}
