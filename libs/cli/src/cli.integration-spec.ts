import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { billingRun, billingTask } from './testing/billing-run.fixture.js';

// The CLI as a user runs it: a child process on this Node, through tools/ts-register.mjs,
// against a local stand-in that answers like the trigger and escalation APIs (libs may not
// start services), and `validate` against real definition files.
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const run = promisify(execFile);

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

async function baton(args: string[], env: NodeJS.ProcessEnv = {}, cwd = ROOT): Promise<Result> {
  const child = [
    '--import',
    join(ROOT, 'tools/ts-register.mjs'),
    join(ROOT, 'libs/cli/src/main.ts'),
    ...args,
  ];
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('BATON_')),
  );
  try {
    const { stdout, stderr } = await run(process.execPath, child, {
      cwd,
      env: { ...clean, NO_COLOR: '1', ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout: string; stderr: string };
    if (typeof failed.code !== 'number') throw error;
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/** What the stand-in received. */
interface Received {
  method: string;
  path: string;
  authorization: string | undefined;
  body: unknown;
}

const PUBLISHER = 'pk-publisher';
const REVIEWER = 'pk-reviewer';

/**
 * Answers like docs/http-api.md: keys and roles (401, 403), the trigger contract's required
 * fields (400 with problems), a run that completes after two polls, tasks, and 409 for a
 * decided task.
 */
function standIn(received: Received[]): Server {
  let polls = 0;
  let decided = false;
  const reply = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const body: unknown = text ? JSON.parse(text) : undefined;
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const authorization = req.headers.authorization;
    received.push({
      method: req.method ?? 'GET',
      path: `${url.pathname}${url.search}`,
      authorization,
      body,
    });

    const role =
      authorization === `Bearer ${PUBLISHER}`
        ? 'publisher'
        : authorization === `Bearer ${REVIEWER}`
          ? 'reviewer'
          : undefined;
    if (!role) {
      return reply(res, 401, {
        statusCode: 401,
        message: 'a valid API key is required: Authorization: Bearer <key>',
        error: 'Unauthorized',
      });
    }
    const route = `${req.method} ${url.pathname}`;
    if (route === 'POST /v1/triggers') {
      if (role !== 'publisher')
        return reply(res, 403, {
          statusCode: 403,
          message: 'role reviewer may not do this',
          error: 'Forbidden',
        });
      const event = body as Record<string, unknown>;
      const problems = [
        'schemaVersion',
        'idempotencyKey',
        'workflowId',
        'tenantId',
        'eventType',
        'data',
      ]
        .filter((field) => event[field] === undefined)
        .map((field) => `${field}: is required`);
      if (problems.length)
        return reply(res, 400, {
          statusCode: 400,
          error: 'invalid-event',
          message: problems[0],
          problems,
        });
      if (event['workflowId'] !== 'billing-dispute') {
        return reply(res, 422, {
          statusCode: 422,
          error: 'unknown-workflow',
          message: `no published workflow ${String(event['workflowId'])}`,
          problems: [`workflowId: no published workflow ${String(event['workflowId'])}`],
        });
      }
      return reply(res, 202, {
        runId: billingRun.id,
        workflow: { id: 'billing-dispute', version: 1 },
        status: 'running',
        duplicate: false,
        acceptedBy: 'ci-publisher',
      });
    }
    if (role !== 'reviewer')
      return reply(res, 403, {
        statusCode: 403,
        message: 'role publisher may not do this',
        error: 'Forbidden',
      });
    if (route === `GET /v1/runs/${billingRun.id}`) {
      polls += 1;
      return reply(
        res,
        200,
        polls < 3
          ? {
              ...billingRun,
              status: 'running',
              reason: null,
              endedAt: null,
              steps: billingRun.steps.slice(0, 2 * polls),
            }
          : billingRun,
      );
    }
    if (route === 'GET /v1/runs')
      return reply(res, 200, { items: [{ ...billingRun, steps: undefined }], nextCursor: null });
    if (route === `POST /v1/runs/${billingRun.id}/cancel`) {
      return reply(res, 409, {
        statusCode: 409,
        error: 'run-ended',
        message: `run ${billingRun.id} has already ended (completed)`,
        problems: [`run ${billingRun.id} has already ended (completed)`],
      });
    }
    if (route === 'GET /v1/tasks')
      return reply(res, 200, {
        items: [{ ...billingTask, status: 'open', decision: null }],
        nextCursor: null,
      });
    if (route === `GET /v1/tasks/${billingTask.id}`) return reply(res, 200, billingTask);
    if (route === `POST /v1/tasks/${billingTask.id}/approve`) {
      if (decided)
        return reply(res, 409, {
          statusCode: 409,
          code: 'task-not-open',
          message: `task ${billingTask.id} is approved (edited by dana at 2026-11-25T10:00:00.000Z); only an open task can be decided`,
        });
      decided = true;
      return reply(res, 200, billingTask);
    }
    return reply(res, 404, { statusCode: 404, message: `Cannot ${route}`, error: 'Not Found' });
  };
  return createServer((req, res) => {
    handle(req, res).catch((error: unknown) => reply(res, 500, { message: String(error) }));
  });
}

describe('the baton CLI as a process', () => {
  const received: Received[] = [];
  let server: Server;
  let env: NodeJS.ProcessEnv;
  let tmp: string;

  beforeAll(async () => {
    server = standIn(received);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    env = { BATON_TRIGGER_URL: base, BATON_ESCALATION_URL: base, BATON_API_KEY: REVIEWER };
    tmp = mkdtempSync(join(tmpdir(), 'baton-cli-it-'));
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    rmSync(tmp, { recursive: true, force: true });
  });

  describe('validate', () => {
    it('passes the real workflows/ folder: every definition valid, exit 0', async () => {
      const result = await baton(['validate', 'workflows']);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(
        '✓ workflows/billing-dispute/workflow.yaml  billing-dispute v1\n',
      );
      expect(result.stdout).toMatch(/\n\d+ definitions? valid\n$/);
      expect(result.stdout).not.toContain('✗');
    });

    it('prints every problem of an invalid definition by path and line, and exits 1', async () => {
      const billing = readFileSync(join(ROOT, 'workflows/billing-dispute/workflow.yaml'), 'utf8');
      const broken = billing
        .replace('owner: support-operations@acme.example\n', '')
        .replace('  maxSteps: 20', '  maxSteps: 0')
        .replace('        tool: draft-reply\n', '        tool: wire-money\n')
        .replace(/ {2}show: \[.*\]\n/, '  show: [evidence.custmer]\n');
      expect(broken).not.toBe(billing);
      mkdirSync(join(tmp, 'defs/broken'), { recursive: true });
      mkdirSync(join(tmp, 'defs/both'), { recursive: true });
      mkdirSync(join(tmp, 'defs/good'), { recursive: true });
      writeFileSync(join(tmp, 'defs/broken/workflow.yaml'), broken);
      writeFileSync(join(tmp, 'defs/both/workflow.yaml'), billing);
      writeFileSync(join(tmp, 'defs/both/workflow.json'), '{}');
      writeFileSync(
        join(tmp, 'defs/good/workflow.yaml'),
        billing.replace('version: 1', 'version: 2'),
      );

      const result = await baton(['validate', 'defs'], {}, tmp);
      expect(result.code).toBe(1);
      // Loaded as the CLI loads it (on demand), which the module boundaries require.
      const { parseWorkflow } = await import('@baton/workflow');
      const loaded = parseWorkflow(broken, { fileName: 'workflow.yaml' });
      expect(loaded.ok).toBe(false);
      const errors = loaded.ok ? [] : loaded.errors;
      // Every problem the loader finds, one per line, under its file.
      expect(errors.length).toBeGreaterThanOrEqual(4);
      expect(result.stdout).toContain(
        `✗ defs/broken/workflow.yaml  ${errors.length} problems\n${errors.map((e) => `    ${e}\n`).join('')}`,
      );
      for (const path of [
        'owner: is required',
        'limits.maxSteps:',
        'decision.rules.2.then.tool: "wire-money"',
        'escalation.show.0:',
      ]) {
        expect(result.stdout).toContain(`    ${path}`);
      }
      expect(result.stdout).toContain(
        '✗ defs/both  1 problem\n    (root): holds workflow.yaml and workflow.json; keep one\n',
      );
      expect(result.stdout).toContain('✓ defs/good/workflow.yaml  billing-dispute v2\n');
      expect(result.stdout).toMatch(/\n2 of 3 definitions invalid\n$/);

      const json = await baton(['validate', 'defs/broken/workflow.yaml', '--json'], {}, tmp);
      expect(json.code).toBe(1);
      expect(JSON.parse(json.stdout)).toMatchObject({
        valid: false,
        files: [{ file: 'defs/broken/workflow.yaml', ok: false, errors }],
      });
    });
  });

  describe('against the HTTP APIs', () => {
    it('trigger --wait starts a run with the publisher key, follows it with the reviewer key and prints the timeline', async () => {
      received.length = 0;
      writeFileSync(
        join(tmp, 'event.json'),
        JSON.stringify({
          customerId: 'cus_1001',
          invoiceId: 'inv_2001',
          disputedAmount: 80,
          message: 'Charged twice',
        }),
      );
      const result = await baton(
        [
          'trigger',
          'billing-dispute',
          '--tenant',
          'acme',
          '--data',
          `@${join(tmp, 'event.json')}`,
          '--key',
          PUBLISHER,
          '--wait',
          '--timeout',
          '30',
        ],
        { ...env, BATON_REVIEWER_KEY: REVIEWER },
      );
      expect(result.code).toBe(0);
      expect(received[0]).toMatchObject({
        method: 'POST',
        path: '/v1/triggers',
        authorization: `Bearer ${PUBLISHER}`,
        body: {
          workflowId: 'billing-dispute',
          tenantId: 'acme',
          eventType: 'support.ticket.created',
          data: { disputedAmount: 80 },
        },
      });
      expect(
        received
          .slice(1)
          .every(
            (r) =>
              r.path === `/v1/runs/${billingRun.id}` && r.authorization === `Bearer ${REVIEWER}`,
          ),
      ).toBe(true);
      expect(received.length).toBe(4);
      // stderr is not a terminal: no spinner, just the one line saying it waits.
      expect(result.stderr).toBe(`run ${billingRun.id} started; waiting for it\n`);
      expect(result.stdout).toContain(
        '  SEQ  KIND        STEP                              OUTCOME          TIME\n',
      );
      expect(result.stdout).toContain(
        '       → succeeded {"id":"cr_31","customer_id":"cus_1001","invoice_id":"inv_2001","amount":60}\n',
      );
      expect(result.stdout.trimEnd().split('\n').at(-1)).toBe(
        'completed after 30m 12s: The credit decision is made and the reply is drafted.',
      );
    });

    it('trigger prints the problems of a refused event, one per line, exit 1', async () => {
      const result = await baton(
        [
          'trigger',
          'no-such-flow',
          '--tenant',
          'acme',
          '--event-type',
          'x',
          '--data',
          '{}',
          '--key',
          PUBLISHER,
        ],
        env,
      );
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(
        'error: HTTP 422 unknown-workflow\n  workflowId: no published workflow no-such-flow\n',
      );
    });

    it('runs, run --json, tasks and task read with the key from BATON_API_KEY', async () => {
      const runs = await baton(['runs', '--workflow', 'billing-dispute', '--limit', '10'], env);
      expect(runs.code).toBe(0);
      expect(runs.stdout.split('\n')[1]).toMatch(
        /^0197a8c4-5e1b-7c3d-9f20-4b6e8a1d2c3f {2}completed {2}billing-dispute v1 {2}acme/,
      );
      expect(received.at(-1)).toMatchObject({
        path: '/v1/runs?workflowId=billing-dispute&limit=10',
        authorization: `Bearer ${REVIEWER}`,
      });

      const json = await baton(['run', billingRun.id, '--json'], env);
      expect(json.code).toBe(0);
      expect(JSON.parse(json.stdout)).toEqual(billingRun);

      const tasks = await baton(['tasks', '--status', 'open'], env);
      expect(tasks.code).toBe(0);
      expect(tasks.stdout).toContain(
        `${billingTask.id}  open    billing  billing-dispute v1  disputed-charge 0.90 → issue-credit`,
      );

      const task = await baton(['task', billingTask.id], env);
      expect(task.code).toBe(0);
      expect(task.stdout).toContain('policy WEAK (required source found nothing): []');
    });

    it('approve, then approving again: 409 with who decided first, exit 1', async () => {
      const first = await baton(
        ['approve', billingTask.id, '--args', '{"amount":60}', '--note', 'half'],
        env,
      );
      expect(first.code).toBe(0);
      expect(received.at(-1)).toMatchObject({
        method: 'POST',
        body: { args: { amount: 60 }, note: 'half' },
      });
      expect(first.stdout).toContain(
        `task ${billingTask.id} edited by dana; run ${billingRun.id} resumes`,
      );
      const again = await baton(['approve', billingTask.id], env);
      expect(again.code).toBe(1);
      expect(again.stderr).toBe(
        `error: HTTP 409 task-not-open\n  task ${billingTask.id} is approved (edited by dana at 2026-11-25T10:00:00.000Z); only an open task can be decided\n`,
      );
    });

    it('cancelling an ended run is refused (exit 1); a reviewer key may not trigger (403)', async () => {
      const cancel = await baton(['cancel', billingRun.id, '--reason', 'dup'], env);
      expect(cancel.code).toBe(1);
      expect(cancel.stderr).toContain(`  run ${billingRun.id} has already ended (completed)\n`);
      const forbidden = await baton(
        ['trigger', 'billing-dispute', '--tenant', 'acme', '--data', '{}'],
        env,
      );
      expect(forbidden.code).toBe(1);
      expect(forbidden.stderr).toContain(
        "error: HTTP 403 Forbidden\n  role reviewer may not do this\nthe key's role may not do this:",
      );
    });

    it('exit 2 for usage errors, 3 when the service does not answer', async () => {
      const usage = await baton(['run'], env);
      expect(usage.code).toBe(2);
      expect(usage.stderr).toBe(
        'error: missing <run-id>\nusage: baton run <run-id> [options]  (baton run --help)\n',
      );

      const closed = createServer();
      await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
      const port = (closed.address() as AddressInfo).port;
      await new Promise((resolve) => closed.close(resolve));
      const unreachable = await baton(
        ['tasks', '--escalation-url', `http://127.0.0.1:${port}`],
        env,
      );
      expect(unreachable.code).toBe(3);
      expect(unreachable.stderr).toContain(
        `error: cannot reach escalation service at http://127.0.0.1:${port}: ECONNREFUSED`,
      );
    });

    it('the bin launcher runs the same CLI on this Node', async () => {
      const { stdout } = await run(
        process.execPath,
        [join(ROOT, 'libs/cli/bin/baton.mjs'), 'tasks', '--json'],
        {
          cwd: tmp,
          env: { ...process.env, ...env },
        },
      );
      expect(JSON.parse(stdout)).toMatchObject({ items: [{ id: billingTask.id, status: 'open' }] });
    });
  });
});
