import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectEventually } from '@baton/testing';
import { EmbeddedBatonProcess } from './support/embedded-baton.js';

interface RunView {
  id: string;
  status: string;
  reason: string | null;
  steps: Array<{ name: string; kind: string; outcome: string }>;
}

// `npm start` from a fresh clone: one process, the in-process transport, PGlite. The README's
// sample trigger (a structured dispute: the rules decide) completes; free text, with no model,
// goes to a reviewer saying that decisions are on the rules only.
describe('embedded mode (npm start)', () => {
  const baton = new EmbeddedBatonProcess();

  beforeAll(async () => {
    await baton.start();
  });

  afterAll(async () => {
    await baton.stop();
  });

  const trigger = async (data: Record<string, unknown>) => {
    const response = await fetch(`${baton.triggerUrl}/v1/triggers`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...baton.bearer('publisher') },
      body: JSON.stringify({
        schemaVersion: 1,
        idempotencyKey: `embedded-${randomUUID()}`,
        workflowId: 'billing-dispute',
        tenantId: 'acme',
        eventType: 'billing.dispute.opened',
        data,
      }),
    });
    const body = (await response.json()) as { runId?: string };
    expect(response.status, JSON.stringify(body)).toBe(202);
    return body.runId!;
  };

  const waitForRun = (runId: string, status: string) =>
    expectEventually(
      async () => {
        const response = await fetch(`${baton.triggerUrl}/v1/runs/${runId}`, {
          headers: baton.bearer('reviewer'),
        });
        expect(response.status).toBe(200);
        const run = (await response.json()) as RunView;
        expect(run.status).toBe(status);
        return run;
      },
      { timeoutMs: 60_000, intervalMs: 200 },
    );

  it('says where the data lives, how to fire the sample trigger and that decisions use the rules only', () => {
    expect(baton.output).toContain('six services in one process, in-process transport');
    expect(baton.output).toContain('embedded Postgres (PGlite, in memory)');
    // Nothing is kept: no DATABASE_URL, BUSINESS_DATABASE_URL, BATON_EMBEDDED_DATA_DIR or KAFKA_BROKERS.
    expect(baton.output).toContain(
      'runs and tasks  embedded Postgres (PGlite, in memory): gone when Baton stops (BATON_EMBEDDED_DATA_DIR keeps them)',
    );
    expect(baton.output).toContain(
      "business data   embedded Postgres (PGlite, in memory): the example workflows' demo data",
    );
    expect(baton.output).toContain('messages        in-process transport (in memory)');
    expect(baton.output).not.toContain('DATABASE_URL)');
    expect(baton.output).toContain("no OPENAI_API_KEY: decisions use the workflows' rules only");
    expect(baton.output).toContain(`curl -s -X POST ${baton.triggerUrl}/v1/triggers`);
    expect(baton.output).toContain('baton trigger billing-dispute --tenant acme');
  });

  it("completes the README's sample trigger: credit by rule, reply drafted", async () => {
    const runId = await trigger({
      customerId: 'cus_1001',
      invoiceId: 'inv_2001',
      disputedAmount: 18,
      message: 'Charged twice',
    });
    const run = await waitForRun(runId, 'completed');
    const actions = run.steps.filter((s) => s.kind === 'action');
    expect(actions.map((s) => [s.name, s.outcome])).toEqual([
      ['execute-issue-credit', 'succeeded'],
      ['execute-draft-reply', 'succeeded'],
    ]);
    // One /metrics for the process, counting the run that just completed.
    await expectEventually(async () => {
      const metrics = await (await fetch(baton.metricsUrl)).text();
      expect(metrics).toMatch(
        /^baton_runs_ended_total\{[^}]*baton_run_outcome="completed"[^}]*\} [1-9]/m,
      );
    });
  });

  it('escalates free text for review, with the rules-only reason, when there is no model', async () => {
    const runId = await trigger({
      customerId: 'cus_1001',
      message: 'Your last bill looks wrong to me, can someone check it?',
    });
    const run = await waitForRun(runId, 'waiting-for-review');
    const tasks = await expectEventually(async () => {
      const response = await fetch(`${baton.escalationUrl}/v1/tasks?runId=${runId}`, {
        headers: baton.bearer('reviewer'),
      });
      expect(response.status).toBe(200);
      const body = (await response.json()) as { items: Array<{ runId: string; reason: string }> };
      const mine = body.items.filter((task) => task.runId === runId);
      expect(mine).toHaveLength(1);
      return mine;
    });
    expect(tasks[0]!.reason).toContain("decisions use the workflow's rules only");
    expect(run.steps.some((s) => s.kind === 'action')).toBe(false);
  });

  it('stops cleanly on Ctrl-C', async () => {
    expect(await baton.stop('SIGINT')).toBe(0);
  });
});

// BATON_EMBEDDED_DATA_DIR: PGlite keeps both databases on disk, and the banner says where.
describe('embedded mode keeping its data (BATON_EMBEDDED_DATA_DIR)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'baton-embedded-data-'));
  const baton = new EmbeddedBatonProcess({ env: { BATON_EMBEDDED_DATA_DIR: dataDir } });

  beforeAll(async () => {
    await baton.start();
  });

  afterAll(async () => {
    await baton.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('says that runs, tasks and the business data are kept in that directory', () => {
    expect(baton.output).toContain(
      `runs and tasks  embedded Postgres (PGlite) in ${join(dataDir, 'baton')}, kept when Baton stops`,
    );
    expect(baton.output).toContain(
      `business data   embedded Postgres (PGlite) in ${join(dataDir, 'business')}: the example workflows' demo data`,
    );
    expect(baton.output).not.toContain('gone when Baton stops');
  });
});
