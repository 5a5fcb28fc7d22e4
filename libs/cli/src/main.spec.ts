import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ExitCode } from './exit-codes.js';
import { main } from './main.js';
import type { Io } from './output.js';
import { billingRun, billingTask } from './testing/billing-run.fixture.js';

interface Request {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body: unknown;
}

/** An Io that records what the CLI writes, and a fetch that answers from `respond`. */
function harness(
  respond: (request: Request) => { status: number; body: unknown } | Error,
  env: NodeJS.ProcessEnv = {},
  cwd = process.cwd(),
  sleep: (ms: number) => Promise<void> = async () => undefined,
  now?: () => number,
) {
  const out: string[] = [];
  const err: string[] = [];
  const requests: Request[] = [];
  const fetch = (async (input: URL | string, init?: RequestInit) => {
    const request: Request = {
      method: init?.method ?? 'GET',
      url: new URL(String(input)),
      headers: (init?.headers ?? {}) as Record<string, string>,
      body: init?.body ? JSON.parse(String(init.body)) : undefined,
    };
    requests.push(request);
    const answer = respond(request);
    if (answer instanceof Error) throw answer;
    return new Response(
      typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body),
      {
        status: answer.status,
      },
    );
  }) as typeof globalThis.fetch;
  const io: Io = {
    stdout: { write: (text: string) => out.push(text) },
    stderr: { write: (text: string) => err.push(text) },
    env,
    cwd,
    fetch,
    sleep,
    ...(now ? { now } : {}),
  };
  return {
    run: (...argv: string[]) => main(argv, io),
    stdout: () => out.join(''),
    stderr: () => err.join(''),
    requests,
  };
}

const refused = () =>
  Object.assign(new TypeError('fetch failed'), {
    cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:3000'), {
      code: 'ECONNREFUSED',
    }),
  });

const tmp = mkdtempSync(join(tmpdir(), 'baton-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('exit codes', () => {
  it('0: the answer is printed (a run list as a table)', async () => {
    const cli = harness(() => ({
      status: 200,
      body: { items: [{ ...billingRun, steps: undefined }], nextCursor: 'c-1' },
    }));
    expect(await cli.run('runs', '--status', 'completed', '--limit', '1', '--key', 'k-1')).toBe(
      ExitCode.Ok,
    );
    expect(cli.requests[0]!.url.href).toBe(
      'http://127.0.0.1:3000/v1/runs?status=completed&limit=1',
    );
    expect(cli.requests[0]!.headers['authorization']).toBe('Bearer k-1');
    expect(cli.stdout()).toContain(
      '0197a8c4-5e1b-7c3d-9f20-4b6e8a1d2c3f  completed  billing-dispute v1  acme',
    );
    expect(cli.stdout()).toContain('more: baton runs --cursor c-1');
    expect(cli.stderr()).toBe('');
  });

  it("1: the service refused; its problems are printed one per line, --json prints the API's answer", async () => {
    const body = {
      statusCode: 422,
      error: 'missing-data',
      message: 'data.customerId: is required by workflow billing-dispute',
      problems: [
        'data.customerId: is required by workflow billing-dispute',
        'data.message: is required by workflow billing-dispute',
      ],
    };
    const cli = harness(() => ({ status: 422, body }));
    const argv = ['trigger', 'billing-dispute', '--tenant', 'acme', '--data', '{}'];
    expect(await cli.run(...argv)).toBe(ExitCode.Failed);
    expect(cli.stderr()).toBe(
      [
        'error: HTTP 422 missing-data',
        '  data.customerId: is required by workflow billing-dispute',
        '  data.message: is required by workflow billing-dispute',
        '',
      ].join('\n'),
    );
    expect(cli.stdout()).toBe('');

    const json = harness(() => ({ status: 422, body }));
    expect(await json.run(...argv, '--json')).toBe(ExitCode.Failed);
    expect(JSON.parse(json.stdout())).toEqual(body);
  });

  it('1: an escalation error (code, message) and a missing key, with a hint', async () => {
    const conflict = harness(() => ({
      status: 409,
      body: {
        statusCode: 409,
        code: 'task-not-open',
        message: 'task t-1 is approved (approved by dana)',
      },
    }));
    expect(await conflict.run('reject', 't-1', '--reason', 'no')).toBe(ExitCode.Failed);
    expect(conflict.stderr()).toContain(
      'error: HTTP 409 task-not-open\n  task t-1 is approved (approved by dana)\n',
    );

    const noKey = harness(() => ({
      status: 401,
      body: {
        statusCode: 401,
        message: 'a valid API key is required: Authorization: Bearer <key>',
        error: 'Unauthorized',
      },
    }));
    expect(await noKey.run('tasks')).toBe(ExitCode.Failed);
    expect(noKey.stderr()).toContain('no API key: pass --key <key> or set BATON_API_KEY');
  });

  it('2: a usage error names the problem and the usage line, and sends nothing', async () => {
    const cli = harness(() => ({ status: 200, body: {} }));
    expect(await cli.run('cancel', 'r-1')).toBe(ExitCode.Usage);
    expect(cli.stderr()).toBe(
      'error: --reason <text> is required\nusage: baton cancel <run-id> [options]  (baton cancel --help)\n',
    );
    expect(await cli.run('runs', '--status', 'done')).toBe(ExitCode.Usage);
    expect(cli.stderr()).toContain(
      'error: --status: expected one of running, waiting-for-review, completed, rejected, failed, cancelled',
    );
    expect(await cli.run('trigger', 'billing-dispute', '--tenant', 'acme', '--data', '[1]')).toBe(
      ExitCode.Usage,
    );
    expect(cli.stderr()).toContain('error: --data: expected a JSON object ({ … })');
    expect(await cli.run()).toBe(ExitCode.Usage);
    expect(cli.requests).toEqual([]);
  });

  it('3: the service cannot be reached', async () => {
    const cli = harness(() => refused());
    expect(await cli.run('run', billingRun.id, '--trigger-url', 'http://127.0.0.1:3000')).toBe(
      ExitCode.Unreachable,
    );
    expect(cli.stderr()).toContain(
      'error: cannot reach trigger service at http://127.0.0.1:3000: ECONNREFUSED (connect ECONNREFUSED 127.0.0.1:3000)',
    );
  });

  it('--help is 0 and goes to stdout', async () => {
    const cli = harness(() => ({ status: 200, body: {} }));
    expect(await cli.run('approve', '--help')).toBe(ExitCode.Ok);
    expect(cli.stdout()).toContain('Usage: baton approve <task-id> [options]');
    expect(cli.stdout()).toContain('--args <json|@file>');
  });

  it("--version is 0 and prints package.json's version on stdout, asking no service", async () => {
    const { version } = JSON.parse(
      readFileSync(new URL('../../../package.json', import.meta.url), 'utf8'),
    ) as { version: string };
    const cli = harness(() => ({ status: 200, body: {} }));
    expect(await cli.run('--version')).toBe(ExitCode.Ok);
    expect(cli.stdout()).toBe(`baton ${version}\n`);
    expect(cli.stderr()).toBe('');
    expect(cli.requests).toEqual([]);
  });
});

describe('commands', () => {
  it('trigger sends a contract event: defaults from the local workflow and the environment', async () => {
    const cli = harness(
      () => ({
        status: 202,
        body: {
          runId: 'r-1',
          workflow: { id: 'billing-dispute', version: 1 },
          status: 'running',
          duplicate: false,
          acceptedBy: 'ci',
        },
      }),
      { BATON_TENANT: 'acme', BATON_API_KEY: 'pub' },
    );
    expect(
      await cli.run(
        'trigger',
        'billing-dispute',
        '--data',
        '{"customerId":"cus_1001","message":"hi"}',
      ),
    ).toBe(ExitCode.Ok);
    const [request] = cli.requests;
    expect(request!.method).toBe('POST');
    expect(request!.url.pathname).toBe('/v1/triggers');
    expect(request!.body).toMatchObject({
      schemaVersion: 1,
      workflowId: 'billing-dispute',
      tenantId: 'acme',
      // The first of workflows/billing-dispute's trigger.eventTypes.
      eventType: 'support.ticket.created',
      source: 'baton-cli',
      idempotencyKey: expect.stringMatching(/^cli-[0-9a-f-]{36}$/),
      data: { customerId: 'cus_1001', message: 'hi' },
    });
    expect(request!.body).not.toHaveProperty('workflowVersion');
    expect(cli.stdout()).toMatch(
      /^run r-1 started: billing-dispute v1, idempotency key cli-.*, accepted by ci\n/,
    );
  });

  it('trigger says why an event the workflow filters out started nothing, waits for nothing and exits 1', async () => {
    const reason =
      'trigger.filters.0 did not hold: trigger.data.channel in ["email","chat"] (the event has "phone")';
    const cli = harness(
      () => ({
        status: 200,
        body: { status: 'ignored', workflow: { id: 'billing-dispute', version: 1 }, reason },
      }),
      { BATON_TENANT: 'acme', BATON_API_KEY: 'pub' },
    );
    expect(
      await cli.run('trigger', 'billing-dispute', '--data', '{"customerId":"c"}', '--wait'),
    ).toBe(ExitCode.Failed);
    // Only the trigger was sent: no poll of an undefined run.
    expect(cli.requests.map((r) => r.url.pathname)).toEqual(['/v1/triggers']);
    expect(cli.stderr()).toBe(`ignored: billing-dispute did not start a run: ${reason}\n`);
  });
  it('trigger --wait polls with the reviewer key until the run ends, then prints the timeline; its exit code follows the run', async () => {
    let polls = 0;
    const cli = harness((request) => {
      if (request.method === 'POST')
        return { status: 202, body: { runId: billingRun.id, duplicate: false } };
      polls += 1;
      return polls < 3
        ? {
            status: 200,
            body: {
              ...billingRun,
              status: 'running',
              endedAt: null,
              steps: billingRun.steps.slice(0, polls),
            },
          }
        : { status: 200, body: { ...billingRun, status: 'failed', reason: 'deadline passed' } };
    });
    const code = await cli.run(
      'trigger',
      'billing-dispute',
      '--tenant',
      'acme',
      '--event-type',
      'billing.dispute.opened',
      '--version',
      '1',
      '--idempotency-key',
      'demo-1',
      '--data',
      '{}',
      '--wait',
      '--key',
      'publisher',
      '--reviewer-key',
      'reviewer',
    );
    expect(code).toBe(ExitCode.Failed);
    expect(polls).toBe(3);
    expect(cli.requests[0]!.body).toMatchObject({
      workflowVersion: 1,
      idempotencyKey: 'demo-1',
      eventType: 'billing.dispute.opened',
    });
    expect(cli.requests.map((r) => r.headers['authorization'])).toEqual([
      'Bearer publisher',
      'Bearer reviewer',
      'Bearer reviewer',
      'Bearer reviewer',
    ]);
    expect(cli.stdout()).toContain('   11  decision    decide');
    expect(cli.stdout().trimEnd().split('\n').at(-1)).toBe('failed after 30m 12s: deadline passed');
  });

  it('run --wait gives up after --timeout, exit 1, and says the run goes on', async () => {
    // A clock that only the CLI's own sleeps move: the count of polls cannot depend on load.
    let clock = 0;
    const cli = harness(
      () => ({ status: 200, body: { ...billingRun, status: 'running', endedAt: null } }),
      {},
      process.cwd(),
      async (ms) => {
        clock += ms;
      },
      () => clock,
    );
    expect(await cli.run('run', billingRun.id, '--wait', '--timeout', '1')).toBe(ExitCode.Failed);
    // Polled at 0, 500 and 1,000 ms, then gave up; the timeline of where it stands is shown.
    expect(cli.requests).toHaveLength(3);
    expect(clock).toBe(1_000);
    expect(cli.stdout().trimEnd().split('\n').at(-1)).toMatch(/^running for /);
    expect(cli.stderr()).toContain(`run ${billingRun.id} is still running after 1 s; it goes on`);
  });

  it('run --json prints exactly the API answer', async () => {
    const cli = harness(() => ({ status: 200, body: billingRun }));
    expect(await cli.run('run', billingRun.id, '--json')).toBe(ExitCode.Ok);
    expect(JSON.parse(cli.stdout())).toEqual(billingRun);
  });

  it('approve sends args from a file and a note to the escalation service', async () => {
    writeFileSync(join(tmp, 'args.json'), '{"amount":60}');
    const cli = harness(() => ({ status: 200, body: billingTask }), {}, tmp);
    expect(
      await cli.run(
        'approve',
        billingTask.id,
        '--args',
        '@args.json',
        '--note',
        'half',
        '--escalation-url',
        'http://review.local:8080/',
      ),
    ).toBe(ExitCode.Ok);
    expect(cli.requests[0]).toMatchObject({
      method: 'POST',
      body: { args: { amount: 60 }, note: 'half' },
    });
    expect(cli.requests[0]!.url.href).toBe(
      `http://review.local:8080/v1/tasks/${billingTask.id}/approve`,
    );
    expect(cli.stdout()).toBe(
      `task ${billingTask.id} edited by dana; run ${billingTask.runId} resumes\nfollow it: baton run ${billingTask.runId} --wait\n`,
    );
    expect(await cli.run('approve', 't', '--args', '@missing.json')).toBe(ExitCode.Usage);
    expect(cli.stderr()).toContain(
      `--args @missing.json: cannot read ${join(tmp, 'missing.json')} (no such file)`,
    );
  });

  it('tasks, task, cancel and reject print what the API answered', async () => {
    const cli = harness((request) => {
      const path = request.url.pathname;
      if (path === '/v1/tasks')
        return {
          status: 200,
          body: { items: [{ ...billingTask, status: 'open', overdue: true }], nextCursor: null },
        };
      if (path.endsWith('/cancel'))
        return {
          status: 200,
          body: { runId: 'r-1', status: 'cancelled', reason: 'cancelled by ops: dup' },
        };
      if (path.endsWith('/reject'))
        return { status: 200, body: { ...billingTask, status: 'rejected' } };
      return { status: 200, body: billingTask };
    });
    expect(await cli.run('tasks', '--status', 'open')).toBe(ExitCode.Ok);
    expect(cli.stdout()).toMatch(
      /open \(overdue\)\s+billing\s+billing-dispute v1\s+disputed-charge 0\.90 → issue-credit/,
    );
    expect(await cli.run('task', billingTask.id)).toBe(ExitCode.Ok);
    expect(cli.stdout()).toContain('  edited by dana at 2026-11-25 10:00:00 UTC');
    expect(await cli.run('cancel', 'r-1', '--reason', 'dup')).toBe(ExitCode.Ok);
    expect(cli.requests.at(-1)!.body).toEqual({ reason: 'dup' });
    expect(cli.stdout()).toContain('run r-1 cancelled: cancelled by ops: dup\n');
    expect(await cli.run('reject', billingTask.id, '--reason', 'annual plan')).toBe(ExitCode.Ok);
    expect(cli.stdout()).toContain(`run ${billingTask.runId} ends rejected: annual plan\n`);
  });
});
