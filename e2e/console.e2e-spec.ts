import { randomUUID } from 'node:crypto';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_KEYS, ensureChromium, expectEventually } from '@baton/testing';
import { VIEWPORT, screenshot, signIn as signInAt } from './support/console-browser.js';
import { EmbeddedBatonProcess } from './support/embedded-baton.js';

interface TaskView {
  id: string;
  status: string;
  decision: { outcome: string; args?: Record<string, unknown>; reviewer: { name: string } } | null;
}

// The console in a real browser (Debian's chromium, headless, driven by playwright-core) against
// Baton as `npm start` runs it: the console's server forwards to the services' APIs, which
// decide what each key may do.
describe('the Baton console in a browser', () => {
  const baton = new EmbeddedBatonProcess({
    env: { BATON_CONSOLE_TRACE_URL: 'http://jaeger.test:16686/trace/{traceId}' },
  });
  let browser: Browser;
  let reviewer: BrowserContext;
  /** What the reviewer's pages threw: nothing, or the test says what. */
  const pageErrors: string[] = [];

  beforeAll(async () => {
    const [executablePath] = await Promise.all([ensureChromium(), baton.start()]);
    // --no-sandbox: CI and these machines run tests as root, where Chromium's sandbox cannot start.
    browser = await chromium.launch({ executablePath, headless: true, args: ['--no-sandbox'] });
    reviewer = await browser.newContext({ viewport: VIEWPORT });
    reviewer.on('weberror', (error) => pageErrors.push(error.error().message));
  });

  afterAll(async () => {
    await browser?.close();
    await baton.stop();
  });

  const api = async (
    service: 'trigger' | 'escalation',
    role: keyof typeof TEST_KEYS,
    path: string,
    body?: unknown,
  ) => {
    const response = await fetch(`${baton.url(service)}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: {
        authorization: `Bearer ${TEST_KEYS[role]}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  /** A dispute over a credit above $50: the rules propose it, validation wants a reviewer. */
  const disputeNeedingApproval = async (message: string) => {
    const started = await api('trigger', 'publisher', '/v1/triggers', {
      schemaVersion: 1,
      idempotencyKey: `console-${randomUUID()}`,
      workflowId: 'billing-dispute',
      tenantId: 'acme',
      eventType: 'billing.dispute.opened',
      data: { customerId: 'cus_1002', invoiceId: 'inv_2102', disputedAmount: 120, message },
    });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    const runId = started.body['runId'] as string;
    const task = await expectEventually(async () => {
      const page = await api('escalation', 'reviewer', `/v1/tasks?runId=${runId}`);
      const items = page.body['items'] as Array<{ id: string; status: string }>;
      expect(items).toHaveLength(1);
      return items[0]!;
    });
    return { runId, taskId: task.id };
  };

  const signIn = (page: Page, key: string, shot?: string) =>
    signInAt(page, baton.consoleUrl, key, shot);

  it('is served by npm start, which prints its address', async () => {
    expect(baton.output).toContain(`  console         ${baton.consoleUrl}`);
    const page = await (await fetch(`${baton.consoleUrl}/inbox`)).text();
    expect(page).toContain('<div id="app"></div>');
  });

  it('lets a reviewer find a task, see a refused edit, approve an allowed one and watch the run complete', async () => {
    const { runId, taskId } = await disputeNeedingApproval(
      'You billed me for October after I downgraded; please refund it.',
    );
    const page = await reviewer.newPage();
    await signIn(page, TEST_KEYS.reviewer, '1-sign-in');
    await page.waitForURL('**/inbox');

    // The inbox, by keyboard: j moves to the task, Enter opens it.
    const row = page.locator(`a.task-row[data-task-id="${taskId}"]`);
    await row.waitFor();
    await expect.poll(() => row.innerText()).toContain('args.amount');
    await screenshot(page, '2-inbox');
    const index = Number(await row.getAttribute('data-index'));
    for (let i = 0; i < index; i++) await page.keyboard.press('j');
    await expect.poll(() => row.getAttribute('aria-current')).toBe('true');
    await page.keyboard.press('Enter');
    await page.waitForURL(`**/tasks/${taskId}`);

    // The customer's words, the evidence and the proposal.
    await page.locator('section[aria-label=Proposal]').waitFor();
    const text = await page.locator('main').innerText();
    expect(text).toContain('You billed me for October after I downgraded');
    expect(text).toContain('Evidence');
    expect(text).toContain('issue-credit');
    await page.locator('#run-status[data-run-status="waiting-for-review"]').waitFor();
    await screenshot(page, '3-task');

    // One argument edited to what the workflow's checks refuse: the problem, beside the field.
    await page.click('button[data-edit="amount"]');
    await page.fill('#edit-amount', '300');
    await page.click('form.edit button[type=submit]');
    const problems = page.locator('#problems-amount li');
    await problems.first().waitFor();
    expect(await problems.allInnerTexts()).toContain(
      'check within-invoice-amount: A credit never exceeds the invoice it is for.',
    );
    await screenshot(page, '4-edit-refused');
    expect((await api('escalation', 'reviewer', `/v1/tasks/${taskId}`)).body['status']).toBe(
      'open',
    );

    // An allowed value: approved, and the run goes on to complete.
    await page.fill('#edit-amount', '200');
    await page.click('form.edit button[type=submit]');
    const banner = page.locator('[data-decision="edited"]');
    await banner.waitFor();
    expect(await banner.innerText()).toContain('Approved with changes by reviewer-1 (reviewer)');
    await page.locator('#run-status[data-run-status="completed"]').waitFor({ timeout: 60_000 });
    expect(await page.locator('#run-steps').innerText()).toContain('execute-issue-credit');
    await screenshot(page, '5-approved-run-completed');
    const task = (await api('escalation', 'reviewer', `/v1/tasks/${taskId}`))
      .body as unknown as TaskView;
    expect(task.decision?.args?.['amount']).toBe(200);
    expect(task.decision?.reviewer.name).toBe('reviewer-1');
    expect((await api('trigger', 'reviewer', `/v1/runs/${runId}`)).body['status']).toBe(
      'completed',
    );

    // The run, from the task: every step with its input and output.
    await page.click('#run-link');
    await page.waitForURL(`**/runs/${runId}`);
    await page.locator('section[aria-label=Steps]').waitFor();
    expect(pageErrors).toEqual([]);
    await page.locator('[data-run-status="completed"]').waitFor();
    const credit = page.locator('li[data-step]', { hasText: 'execute-issue-credit' });
    await credit.locator('summary').click();
    // Its output is the credit row the business system wrote: the edited amount.
    await expect.poll(() => credit.locator('pre').last().innerText()).toMatch(/"amount": "?200/);
    const { traceId } = (await api('trigger', 'reviewer', `/v1/runs/${runId}`)).body;
    expect(await page.locator('#trace-link').getAttribute('href')).toBe(
      `http://jaeger.test:16686/trace/${String(traceId)}`,
    );
    await screenshot(page, '8-run');
    expect(pageErrors).toEqual([]);

    // The runs list, searched by status, names it.
    await page.click('[data-nav="runs"]');
    await page.waitForURL('**/runs');
    await page.selectOption('#runs-status', 'completed');
    await page.click('form.filters button[type=submit]');
    await page.locator(`tr[data-run-id="${runId}"]`).waitFor();
    expect(await page.locator('table.runs tbody tr').allInnerTexts()).not.toContainEqual(
      expect.stringContaining('waiting-for-review'),
    );
    await screenshot(page, '9-runs');

    // The key is in an HttpOnly cookie: not in the page, not readable by its script, not logged.
    expect(await page.content()).not.toContain(TEST_KEYS.reviewer);
    expect(await page.evaluate('document.cookie')).not.toContain(TEST_KEYS.reviewer);
    expect((await reviewer.cookies()).map((c) => [c.name, c.httpOnly, c.sameSite])).toEqual([
      ['baton_console_key', true, 'Strict'],
    ]);
    expect(baton.output).not.toContain(TEST_KEYS.reviewer);
    await page.close();
  });

  it('offers a publisher no review, and the server refuses a forged approval', async () => {
    const { taskId } = await disputeNeedingApproval('Charged for a month I had cancelled.');
    const context = await browser.newContext({ viewport: VIEWPORT });
    const page = await context.newPage();
    await signIn(page, TEST_KEYS.publisher);
    await page.waitForURL('**/publisher');
    expect(await page.locator('[data-nav="inbox"]').count()).toBe(0);
    await screenshot(page, '6-publisher');

    await page.goto(`${baton.consoleUrl}/tasks/${taskId}`);
    await page.getByRole('heading', { name: 'Not here' }).waitFor();
    expect(await page.locator('#approve, button[data-edit]').count()).toBe(0);

    // The same call the reviewer's page makes, sent from the publisher's page by hand.
    const forged = await page.evaluate(async (id) => {
      const response = await fetch(`/api/escalation/v1/tasks/${id}/approve`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-baton-console': '1' },
        body: '{}',
      });
      return { status: response.status, body: (await response.json()) as { error: string } };
    }, taskId);
    expect(forged.status).toBe(403);
    expect(forged.body.error).toBe('forbidden');
    expect((await api('escalation', 'reviewer', `/v1/tasks/${taskId}`)).body['status']).toBe(
      'open',
    );
    await context.close();
  });

  it('shows who decided a task another reviewer decided meanwhile, not an error', async () => {
    const { taskId } = await disputeNeedingApproval('Double charge on my October invoice.');
    const page = await reviewer.newPage();
    await page.goto(`${baton.consoleUrl}/tasks/${taskId}`);
    await page.locator('#approve').waitFor();

    const rejected = await api('escalation', 'admin', `/v1/tasks/${taskId}/reject`, {
      reason: 'Duplicate of an earlier dispute.',
    });
    expect(rejected.status, JSON.stringify(rejected.body)).toBe(200);

    await page.click('#approve');
    const banner = page.locator('[data-decision="rejected"]');
    await banner.waitFor();
    const said = await banner.innerText();
    expect(said).toContain('Another reviewer decided this task before you.');
    expect(said).toContain('Rejected by admin-1 (admin)');
    expect(said).toContain('Duplicate of an earlier dispute.');
    expect(await page.locator('[role=alert][data-error]').count()).toBe(0);
    await screenshot(page, '7-decided-elsewhere');
    await page.close();
  });

  it('cancels a waiting run from its page, closing its review task', async () => {
    const { runId, taskId } = await disputeNeedingApproval('Please check my October bill.');
    const page = await reviewer.newPage();
    await page.goto(`${baton.consoleUrl}/runs/${runId}`);
    await page.locator('[data-run-status="waiting-for-review"]').waitFor();
    await page.fill('#cancel-reason', 'The customer withdrew the dispute.');
    await page.click('form.cancel button[type=submit]');
    await page.locator('[data-run-status="cancelled"]').waitFor();
    expect(await page.locator('form.cancel').count()).toBe(0);
    expect(await page.locator('main').innerText()).toContain(
      'cancelled by reviewer-1: The customer withdrew the dispute.',
    );
    await screenshot(page, '10-run-cancelled');
    await expectEventually(async () => {
      const task = await api('escalation', 'reviewer', `/v1/tasks/${taskId}`);
      expect(task.body['status']).toBe('closed');
    });
    expect(pageErrors).toEqual([]);
    await page.close();
  });

  it("shows a workflow's outcome stats as the API answers them, and two versions side by side", async () => {
    // No run of the tests above is still moving (one waits for a reviewer who never comes), so
    // the figures hold still while the page and the API are compared.
    await expectEventually(async () => {
      const moving = await api(
        'trigger',
        'reviewer',
        '/v1/runs?workflowId=billing-dispute&status=running',
      );
      expect(moving.body['items']).toEqual([]);
      const waiting = await api(
        'trigger',
        'reviewer',
        '/v1/runs?workflowId=billing-dispute&status=waiting-for-review',
      );
      // The publisher's test's run; the rejected and the cancelled ones have ended.
      expect(waiting.body['items']).toHaveLength(1);
    });
    const stats = (await api('trigger', 'reviewer', '/v1/stats?workflow=billing-dispute&since=7d'))
      .body;
    expect(stats['runs']).toBeGreaterThanOrEqual(4);
    const page = await reviewer.newPage();
    await page.goto(`${baton.consoleUrl}/runs`);
    await page.click('[data-nav="workflows"]');
    await page.waitForURL('**/workflows');
    await page.locator('tr[data-workflow="billing-dispute"]').waitFor();
    await screenshot(page, '11-workflows');

    await page.click('tr[data-workflow="billing-dispute"] a');
    await page.waitForURL('**/workflows/billing-dispute');
    // Each figure carries the API's number it shows; the text is that number, formatted.
    const figure = async (name: string) => {
      const shown = page.locator(`[data-stat="${name}"]`);
      return {
        value: JSON.parse((await shown.getAttribute('data-value'))!) as unknown,
        text: await shown.innerText(),
      };
    };
    await page.locator('[data-stat="runs"]').waitFor();
    expect(await figure('runs')).toEqual({ value: stats['runs'], text: String(stats['runs']) });
    for (const rate of ['completionRate', 'escalationRate', 'correctionRate']) {
      const shown = await figure(rate);
      expect(shown.value, rate).toBe(stats[rate]);
      expect(shown.text, rate).toBe(
        `${(Math.round((stats[rate] as number) * 1000) / 10).toFixed(1)} %`,
      );
    }
    expect((await figure('costPerRunUsd')).value).toBe(stats['costPerRunUsd']);
    expect((await figure('timeToOutcomeMs.p50')).value).toBe(
      (stats['timeToOutcomeMs'] as { p50: number }).p50,
    );
    // The charts' figures as a table: one row per day of the window, today's counting the runs.
    const rates = page.locator('figure[data-chart="Rates over time"] tbody tr');
    expect(await rates.count()).toBe(7);
    expect(await rates.last().locator('[data-series="completion"]').innerText()).not.toBe('—');
    expect(await page.locator('#definition').innerText()).toContain('"id": "billing-dispute"');
    expect(await page.locator('section[aria-label="Versions side by side"]').innerText()).toContain(
      'This workflow has one version.',
    );

    // A second version, published by an admin: the page sets the two side by side.
    const v1 = await api('trigger', 'admin', '/v1/workflows/billing-dispute/versions/1');
    const published = await api('trigger', 'admin', '/v1/workflows', {
      ...(v1.body['definition'] as Record<string, unknown>),
      version: 2,
    });
    expect(published.status, JSON.stringify(published.body)).toBe(201);
    await page.reload();
    const table = page.locator('#version-comparison');
    await table.waitFor();
    expect(await table.locator('thead th').allInnerTexts()).toEqual(['', 'v1', 'v2']);
    const runsRow = await table.locator('tbody tr').first().locator('td').allInnerTexts();
    expect(runsRow).toEqual([String(stats['runs']), '0']);
    await screenshot(page, '12-workflow');
    expect(pageErrors).toEqual([]);
    await page.close();
  });

  it('refuses a change that does not come from its own page', async () => {
    const session = await fetch(`${baton.consoleUrl}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ key: TEST_KEYS.reviewer }),
    });
    expect(session.status).toBe(403);
    expect(session.headers.get('set-cookie')).toBeNull();
  });
});
