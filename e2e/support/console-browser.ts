// What the console's browser tests share: where screenshots go, the laptop-sized viewport, and
// signing in with an API key.
import { mkdirSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { REPO_ROOT } from '@baton/testing';

/** Each page the tests pass through, as each role sees it (docs/console.md). */
export const SCREENSHOTS = `${REPO_ROOT}.baton/test-output/console`;
/** A laptop's screen: the console must read well at this width. */
export const VIEWPORT = { width: 1366, height: 900 };

export function screenshot(page: Page, name: string): Promise<Buffer> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  return page.screenshot({ path: `${SCREENSHOTS}/${name}.png`, fullPage: true });
}

/** Opens the console at `consoleUrl` and signs in with `key` (a screenshot of the form first). */
export async function signIn(
  page: Page,
  consoleUrl: string,
  key: string,
  shot?: string,
): Promise<void> {
  await page.goto(consoleUrl);
  await page.waitForURL('**/sign-in');
  await page.fill('#api-key', key);
  if (shot) await screenshot(page, shot);
  await page.click('form.sign-in button[type=submit]');
}
