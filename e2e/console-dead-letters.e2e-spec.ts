import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  REPO_ROOT,
  TEST_KEYS,
  TestKafka,
  ensureChromium,
  expectEventually,
  testKafkaBrokers,
  testSigningKey,
} from '@baton/testing';
import { VIEWPORT, screenshot, signIn } from './support/console-browser.js';
import { EmbeddedBatonProcess } from './support/embedded-baton.js';

interface Letter {
  id: string;
  reason: string;
  errors: string[];
  key: string | null;
  replays: number;
  replayedBy: string | null;
}

// An admin works the dead letters in a real browser (Debian's chromium, headless): embedded
// Baton on the real broker, an upstream system's trigger event for a workflow nobody has
// published yet, dead-lettered by the trigger service; the workflow is published, and the admin
// replays the event from the console.
describe('dead letters in the console (embedded Baton on the real broker)', () => {
  const prefix = `e2e-dl-${randomUUID().slice(0, 8)}.`;
  const baton = new EmbeddedBatonProcess({
    env: {
      KAFKA_BROKERS: testKafkaBrokers().join(','),
      BATON_TOPIC_PREFIX: prefix,
      BATON_SIGNING_KEY: testSigningKey(),
    },
  });
  const kafka = new TestKafka();
  let browser: Browser;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    const [executablePath] = await Promise.all([ensureChromium(), baton.start()]);
    // --no-sandbox: CI and these machines run tests as root, where Chromium's sandbox cannot start.
    browser = await chromium.launch({ executablePath, headless: true, args: ['--no-sandbox'] });
  });

  afterAll(async () => {
    await browser?.close();
    await kafka.close();
    await baton.stop();
  });

  const api = async (role: keyof typeof TEST_KEYS, path: string, init: RequestInit = {}) => {
    const response = await fetch(`${baton.triggerUrl}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${TEST_KEYS[role]}`, ...init.headers },
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  it('lets an admin see why a trigger event was dead-lettered, and replay it after the fix', async () => {
    const key = `late-${randomUUID()}`;
    await kafka.produce(
      `${prefix}trigger.ingress`,
      [
        {
          key,
          value: JSON.stringify({
            schemaVersion: 1,
            idempotencyKey: key,
            workflowId: 'late-dispute',
            tenantId: 'acme',
            eventType: 'support.ticket.created',
            source: 'zendesk',
            data: { customerId: 'cus_1001', invoiceId: 'inv_2001', message: 'Charged twice.' },
          }),
        },
      ],
      { signed: false },
    );
    const dlq = `${prefix}trigger.ingress.dlq`;
    const letter = await expectEventually(
      async () => {
        const page = await api('admin', `/v1/dead-letters?topic=${encodeURIComponent(dlq)}`);
        const items = page.body['items'] as Letter[];
        expect(items).toHaveLength(1);
        return items[0]!;
      },
      { timeoutMs: 60_000 },
    );
    expect(letter).toMatchObject({ reason: 'handler-rejected', key, replays: 0 });

    // A reviewer is not offered dead letters, and the server refuses them the list.
    const reviewerContext = await browser.newContext({ viewport: VIEWPORT });
    const reviewerPage = await reviewerContext.newPage();
    await signIn(reviewerPage, baton.consoleUrl, TEST_KEYS.reviewer);
    await reviewerPage.waitForURL('**/inbox');
    expect(await reviewerPage.locator('[data-nav="dead-letters"]').count()).toBe(0);
    const refused = await reviewerPage.evaluate(async () => {
      const answer = await fetch('/api/trigger/v1/dead-letters', {
        headers: { 'x-baton-console': '1' },
      });
      return answer.status;
    });
    expect(refused).toBe(403);
    await reviewerContext.close();

    // The admin finds it by its topic, with the reason and what failed.
    const context = await browser.newContext({ viewport: VIEWPORT });
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await signIn(page, baton.consoleUrl, TEST_KEYS.admin);
    await page.waitForURL('**/inbox');
    await page.click('[data-nav="dead-letters"]');
    await page.waitForURL('**/dead-letters');
    const row = page.locator(`tr[data-dead-letter-id="${letter.id}"]`);
    await row.waitFor();
    expect(await row.innerText()).toContain('handler-rejected');
    expect(await row.innerText()).toContain('unknown-workflow');
    expect(await page.locator(`li[data-topic="${dlq}"]`).innerText()).toContain('1 waiting of 1');
    await screenshot(page, '13-dead-letters');
    await row.locator('a').click();
    await page.waitForURL(`**/dead-letters/${letter.id}`);
    await page.locator('#dl-value').waitFor();
    expect(await page.locator('#dl-value').innerText()).toContain('"workflowId": "late-dispute"');
    expect(await page.locator('#dl-errors').innerText()).toContain('unknown-workflow');
    await screenshot(page, '14-dead-letter');

    // The fix: the workflow is published. The replay starts the run the event asked for.
    const yaml = readFileSync(
      `${REPO_ROOT}workflows/billing-dispute/workflow.yaml`,
      'utf8',
    ).replace(/^id: billing-dispute$/m, 'id: late-dispute');
    const published = await api('admin', '/v1/workflows', {
      method: 'POST',
      headers: { 'content-type': 'application/yaml' },
      body: yaml,
    });
    expect(published.status, JSON.stringify(published.body)).toBe(201);
    await page.click('#replay');
    await page.locator('#replay-status .state.done').waitFor();
    expect(await page.locator('main').innerText()).toContain('1 replay, last by admin-1');
    await screenshot(page, '15-dead-letter-replayed');
    const run = await expectEventually(
      async () => {
        const runs = await api('admin', '/v1/runs?workflowId=late-dispute');
        const items = runs.body['items'] as Array<{ id: string; idempotencyKey: string }>;
        expect(items.map((r) => r.idempotencyKey)).toEqual([key]);
        return items[0]!;
      },
      { timeoutMs: 60_000 },
    );
    expect(run.id).toMatch(/^[0-9a-f-]{36}$/);
    const after = await api('admin', `/v1/dead-letters/${letter.id}`);
    expect(after.body).toMatchObject({ replays: 1, replayedBy: 'admin-1' });
    // The replay was handled, not dead-lettered again.
    const open = await api('admin', `/v1/dead-letters?topic=${encodeURIComponent(dlq)}`);
    expect((open.body['items'] as Letter[]).map((l) => l.id)).toEqual([letter.id]);
    expect(pageErrors).toEqual([]);
    await context.close();
  });
});
