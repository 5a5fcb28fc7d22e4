import { ensureDebianPackage } from './debian-package.js';

/** Where Debian's `chromium` package puts the browser. */
export const CHROMIUM = '/usr/bin/chromium';

/**
 * Debian's `chromium` package, for the browser tests (driven by playwright-core, which never
 * downloads a browser of its own), installed the way kcat and prometheus are when missing.
 * Resolves with its path.
 */
export async function ensureChromium(): Promise<string> {
  await ensureDebianPackage('chromium', { command: CHROMIUM, args: ['--version'] }, 900_000);
  return CHROMIUM;
}
