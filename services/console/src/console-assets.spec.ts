import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StartFailure } from '@baton/service-kit';
import { freePort, testApiKeysSetting } from '@baton/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { startConsole } from './start-console.js';

// BATON_CONSOLE_ASSETS_DIR: the container image's console serves the page `npm run
// build:console` built, as it is, and never builds one (the image has no Vite).
describe('the console with its page built beforehand', () => {
  const dir = mkdtempSync(join(tmpdir(), 'baton-console-assets-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('serves that page and its assets', async () => {
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), '<html><body data-built="beforehand"></body></html>');
    writeFileSync(join(dir, 'assets', 'app.js'), 'console.log("built")');
    const running = await startConsole({
      BATON_CONSOLE_ASSETS_DIR: dir,
      BATON_CONSOLE_PORT: String(await freePort()),
      BATON_API_KEYS: testApiKeysSetting(),
      LOG_LEVEL: 'silent',
    });
    try {
      expect(await (await fetch(`${running.url}/inbox`)).text()).toContain(
        'data-built="beforehand"',
      );
      expect(await (await fetch(`${running.url}/assets/app.js`)).text()).toBe(
        'console.log("built")',
      );
    } finally {
      await running.close();
    }
    // Closing leaves a directory it did not make where it was.
    expect(existsSync(join(dir, 'index.html'))).toBe(true);
  });

  it('refuses to start, naming the setting, when the directory holds no page', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'baton-console-empty-'));
    try {
      const failed = await startConsole({
        BATON_CONSOLE_ASSETS_DIR: empty,
        BATON_API_KEYS: testApiKeysSetting(),
        LOG_LEVEL: 'silent',
      }).catch((error: unknown) => error);
      expect(failed).toBeInstanceOf(StartFailure);
      expect((failed as StartFailure).exitCode).toBe(78);
      expect((failed as Error).message).toContain('BATON_CONSOLE_ASSETS_DIR');
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
