// Workflow versions end to end: a run keeps the version it started with while a new version is
// published through the API; new triggers start the new version, in every service.
import { readFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';
import { REPO_ROOT, TEST_KEYS, bearer, businessQuery } from '@baton/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BatonClient, disputeEvent } from './support/baton-client.js';
import { baton } from './support/baton-cli.js';
import { BatonSystem } from './support/baton-system.js';

type Definition = Record<string, unknown> & {
  version: number;
  decision: { rules: Array<{ name: string; then: { args?: Record<string, unknown> } }> };
  validation: { approvals: Array<{ when: Array<{ value?: unknown }>; reason: string }> };
};

const v1 = parse(
  readFileSync(`${REPO_ROOT}workflows/billing-dispute/workflow.yaml`, 'utf8'),
) as Definition;

/** v2: credits up to $300 need no reviewer, and the reply says it was written by v2. */
function version2(): Definition {
  const v2 = structuredClone(v1);
  v2.version = 2;
  const approval = v2.validation.approvals[0]!;
  approval.when[0]!.value = 300;
  approval.reason = 'Credits above $300 need a reviewer (policy of March).';
  const reply = v2.decision.rules.find((r) => r.name === 'reply-after-credit')!;
  reply.then.args = { ...reply.then.args, body: `[v2] ${String(reply.then.args!['body'])}` };
  return v2;
}

describe('workflow versions (publish v2 while a v1 run waits for review) and shadow mode', () => {
  const system = new BatonSystem();
  const api = new BatonClient(system);

  const publish = (
    body: string,
    contentType = 'application/json',
    role: 'admin' | 'reviewer' = 'admin',
  ) =>
    fetch(`${system.url('trigger')}/v1/workflows`, {
      method: 'POST',
      headers: { 'content-type': contentType, ...bearer(role) },
      body,
    }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> }));
  const read = (path: string) =>
    fetch(`${system.url('trigger')}${path}`, { headers: bearer('reviewer') }).then(async (r) => ({
      status: r.status,
      body: (await r.json()) as Record<string, unknown>,
    }));
  const replies = (runId: string) =>
    businessQuery<{ body: string }>(
      'SELECT body FROM billing.replies WHERE idempotency_key LIKE $1',
      [`${runId}:%`],
    );
  const credits = (runId: string) =>
    businessQuery<{ amount: string }>(
      'SELECT amount FROM billing.credits WHERE idempotency_key LIKE $1',
      [`${runId}:%`],
    );
  const dispute = (message: string) =>
    disputeEvent({ customerId: 'cus_1002', invoiceId: 'inv_2101', disputedAmount: 240, message });
  const start = async (event: ReturnType<typeof disputeEvent>) => {
    const response = await api.trigger(event);
    expect(response.status, JSON.stringify(response.body)).toBe(202);
    return response.body as { runId: string; workflow: { id: string; version: number } };
  };

  beforeAll(async () => {
    await system.start();
  }, 180_000);
  afterAll(async () => {
    await system.stop();
  }, 60_000);

  it('lists the bundled v1, published to the registry by the trigger service at start', async () => {
    const { body } = await read('/v1/workflows');
    expect(body['items']).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          id: 'billing-dispute',
          version: 1,
          source: 'bundled',
          publishedAt: expect.any(String),
          latest: true,
        }),
      ]),
    );
  });

  it('finishes a run started on v1 on v1 after v2 is published; new triggers use v2', async () => {
    // v1: a $240 credit needs a reviewer.
    const first = await start(dispute('Form: disputed 240 (v1).'));
    expect(first.workflow).toEqual({ id: 'billing-dispute', version: 1 });
    const task = await api.waitForTask(first.runId);
    expect(task.reason).toMatch(/above \$50 need a reviewer/);
    await api.waitForRun(first.runId, ['waiting-for-review']);

    // Only an admin publishes; v2 is validated, then published to every service.
    expect((await publish(JSON.stringify(version2()), 'application/json', 'reviewer')).status).toBe(
      403,
    );
    const published = await publish(JSON.stringify(version2()));
    expect(published.status, JSON.stringify(published.body)).toBe(201);
    expect(published.body).toMatchObject({
      id: 'billing-dispute',
      version: 2,
      source: 'published',
      publishedBy: 'admin-1',
      latest: true,
      created: true,
      digest: expect.stringMatching(/^[0-9a-f]{64}$/),
    });

    // A new trigger starts v2, and every service runs it as v2: no reviewer below $300.
    const second = await start(dispute('Form: disputed 240 (v2).'));
    expect(second.workflow).toEqual({ id: 'billing-dispute', version: 2 });
    const done = await api.waitForRun(second.runId, ['completed', 'failed', 'rejected']);
    expect(done.status, JSON.stringify(done.steps.map((s) => `${s.kind}:${s.outcome}`))).toBe(
      'completed',
    );
    expect(done.workflow).toEqual({ id: 'billing-dispute', version: 2 });
    expect(await credits(second.runId)).toEqual([{ amount: '240.00' }]);
    expect((await replies(second.runId))[0]?.body).toMatch(/^\[v2\] Hello Omar Haddad/);
    expect((await api.tasks('limit=200')).some((t) => t.runId === second.runId)).toBe(false);

    // The v1 run, approved now, finishes on v1: its reply is v1's.
    expect((await api.decide(task.id, 'approve', { note: 'verified' })).status).toBe(200);
    const firstDone = await api.waitForRun(first.runId, ['completed', 'failed', 'rejected']);
    expect(firstDone.status).toBe('completed');
    expect(firstDone.workflow).toEqual({ id: 'billing-dispute', version: 1 });
    expect(await credits(first.runId)).toEqual([{ amount: '240.00' }]);
    const [reply] = await replies(first.runId);
    expect(reply?.body).toMatch(/^Hello Omar Haddad, we have credited 240/);
  });

  it('answers 200 to the same v2 again (YAML this time), 409 to other content under v2, 422 to an invalid one', async () => {
    const again = await publish(stringify(version2()), 'application/yaml');
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    expect(again.body).toMatchObject({ version: 2, created: false });

    const changed = version2();
    changed.validation.approvals[0]!.when[0]!.value = 400;
    const conflict = await publish(JSON.stringify(changed));
    expect(conflict.status).toBe(409);
    expect(conflict.body).toMatchObject({
      error: 'version-published',
      message: expect.stringMatching(
        /^billing-dispute@2 is already published with other content .*publish this one as version 3$/,
      ),
    });

    const invalid = await publish(
      stringify({ ...version2(), version: 3, mode: 'loud', limits: { maxSteps: 0 } }),
      'application/yaml',
    );
    expect(invalid.status).toBe(422);
    expect(invalid.body['error']).toBe('invalid-definition');
    expect(invalid.body['problems']).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^mode: mode must be one of the following values: live, shadow \(line \d+/,
        ),
        expect.stringMatching(/^limits\.maxSteps: maxSteps must not be less than 1/),
      ]),
    );

    // Neither changed what is published.
    const { body } = await read('/v1/workflows/billing-dispute/versions/2');
    expect(body).toMatchObject({ version: 2, digest: again.body['digest'], source: 'published' });
    expect((body['definition'] as Definition).validation.approvals[0]!.when[0]!.value).toBe(300);
    expect((await read('/v1/workflows/billing-dispute/versions/3')).status).toBe(404);
    const { body: list } = await read('/v1/workflows');
    const versions = (list['items'] as Array<{ id: string; version: number; latest: boolean }>)
      .filter((w) => w.id === 'billing-dispute')
      .map((w) => [w.version, w.latest]);
    expect(versions).toEqual([
      [1, false],
      [2, true],
    ]);
  });

  it('in a shadow version, records the writes it would make, visible on the run and in `baton run`, and writes nothing', async () => {
    const shadow = { ...version2(), version: 3, mode: 'shadow' };
    expect((await publish(JSON.stringify(shadow))).status).toBe(201);

    const { runId, workflow } = await start(
      disputeEvent({
        customerId: 'cus_1001',
        invoiceId: 'inv_2001',
        disputedAmount: 18,
        message: 'Charged twice (shadow)',
      }),
    );
    expect(workflow).toEqual({ id: 'billing-dispute', version: 3 });
    // The run continues as if each write succeeded: credit, then the reply, then completed.
    const run = await api.waitForRun(runId, ['completed', 'failed', 'rejected']);
    expect(run.status, JSON.stringify(run.steps.map((s) => `${s.kind}:${s.outcome}`))).toBe(
      'completed',
    );
    // Nothing reached the business data.
    expect(await credits(runId)).toEqual([]);
    expect(await replies(runId)).toEqual([]);

    // GET /v1/runs/:id: each write is recorded with its tool, arguments and idempotency key.
    const wouldExecute = run.steps
      .filter((step) => step.kind === 'action')
      .map((step) => (step.output?.['result'] as { output?: { wouldExecute?: unknown } })?.output)
      .map((output) => output?.wouldExecute);
    expect(wouldExecute).toEqual([
      {
        tool: 'issue-credit',
        args: expect.objectContaining({ invoiceId: 'inv_2001', amount: 18 }),
        idempotencyKey: expect.stringMatching(new RegExp(`^${runId}:\\d+:issue-credit$`)),
      },
      {
        tool: 'draft-reply',
        args: expect.objectContaining({ customerId: 'cus_1001' }),
        idempotencyKey: expect.stringMatching(new RegExp(`^${runId}:\\d+:draft-reply$`)),
      },
    ]);

    // `baton run <id>`: the timeline shows both writes as simulated.
    const cli = await baton([
      'run',
      runId,
      '--key',
      TEST_KEYS.reviewer,
      '--trigger-url',
      system.url('trigger'),
    ]);
    expect(cli.code, cli.stderr).toBe(0);
    expect(cli.stdout).toMatch(/billing-dispute v3/);
    expect(cli.stdout.match(/simulated/g)?.length ?? 0).toBeGreaterThanOrEqual(2);
    expect(cli.stdout).toMatch(/issue-credit/);
  });
});
