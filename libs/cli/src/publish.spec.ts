import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ExitCode } from './exit-codes.js';
import { main } from './main.js';
import type { Io } from './output.js';

interface Request {
  method: string;
  url: URL;
  body: unknown;
}

/** Records what the CLI writes and sends; the service answers with `respond`. */
function harness(respond: (request: Request) => { status: number; body: unknown }, cwd: string) {
  const out: string[] = [];
  const err: string[] = [];
  const requests: Request[] = [];
  const fetch = (async (input: URL | string, init?: RequestInit) => {
    const request = {
      method: init?.method ?? 'GET',
      url: new URL(String(input)),
      body: init?.body ? JSON.parse(String(init.body)) : undefined,
    };
    requests.push(request);
    const answer = respond(request);
    return new Response(JSON.stringify(answer.body), { status: answer.status });
  }) as typeof globalThis.fetch;
  const io: Io = {
    stdout: { write: (text: string) => out.push(text) },
    stderr: { write: (text: string) => err.push(text) },
    env: {},
    cwd,
    fetch,
  };
  return {
    run: (...argv: string[]) => main(argv, io),
    stdout: () => out.join(''),
    stderr: () => err.join(''),
    requests,
  };
}

const billing = readFileSync(
  new URL('../../../workflows/billing-dispute/workflow.yaml', import.meta.url),
  'utf8',
);
const tmp = mkdtempSync(join(tmpdir(), 'baton-publish-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const v2 = join(tmp, 'v2.yaml');
writeFileSync(v2, billing.replace(/^version: 1$/m, 'version: 2'));
const summary = {
  id: 'billing-dispute',
  version: 2,
  mode: 'live',
  source: 'published',
  digest: '0123456789abcdef'.repeat(4),
  publishedAt: '2026-03-01T10:00:00.000Z',
  publishedBy: 'admin-1',
  latest: true,
};

describe('publish', () => {
  it('sends the definition as JSON and says what was published', async () => {
    const cli = harness(() => ({ status: 201, body: { ...summary, created: true } }), tmp);
    expect(await cli.run('publish', 'v2.yaml', '--key', 'k')).toBe(ExitCode.Ok);
    expect(cli.requests).toHaveLength(1);
    expect(cli.requests[0]).toMatchObject({
      method: 'POST',
      body: { id: 'billing-dispute', version: 2, mode: 'live' },
    });
    expect(cli.requests[0]!.url.pathname).toBe('/v1/workflows');
    expect(cli.stdout()).toContain('✓ published billing-dispute v2  digest 0123456789ab');
    expect(cli.stdout()).toContain('new triggers of billing-dispute start v2');
  });

  it('says "already published" for an identical re-publish, exit 0', async () => {
    const cli = harness(() => ({ status: 200, body: { ...summary, created: false } }), tmp);
    expect(await cli.run('publish', v2)).toBe(ExitCode.Ok);
    expect(cli.stdout()).toContain('billing-dispute v2 is already published (identical)');
  });

  it('exits 1 with the conflict explained when the version holds other content', async () => {
    const body = {
      statusCode: 409,
      error: 'version-published',
      message: 'billing-dispute@2 is already published with other content',
      problems: ['billing-dispute@2 is already published with other content'],
    };
    const cli = harness(() => ({ status: 409, body }), tmp);
    expect(await cli.run('publish', v2)).toBe(ExitCode.Failed);
    expect(cli.stderr()).toContain('error: HTTP 409 version-published');
    expect(cli.stderr()).toContain('  billing-dispute@2 is already published with other content');
    const json = harness(() => ({ status: 409, body }), tmp);
    expect(await json.run('publish', v2, '--json')).toBe(ExitCode.Failed);
    expect(JSON.parse(json.stdout())).toEqual(body);
  });

  it('validates first: an invalid file lists every problem by path, exit 1, and sends nothing', async () => {
    const bad = join(tmp, 'bad.yaml');
    writeFileSync(
      bad,
      billing.replace('  maxSteps: 20', '  maxSteps: 0').replace('mode: live', 'mode: loud'),
    );
    const cli = harness(() => ({ status: 500, body: {} }), tmp);
    expect(await cli.run('publish', bad)).toBe(ExitCode.Failed);
    expect(cli.requests).toHaveLength(0);
    expect(cli.stdout()).toContain('✗ bad.yaml  2 problems');
    expect(cli.stdout()).toMatch(/mode: mode must be one of the following values: live, shadow/);
    expect(cli.stdout()).toMatch(/limits\.maxSteps: maxSteps must not be less than 1 \(line \d+/);
    expect(cli.stdout()).toContain('not published');

    const json = harness(() => ({ status: 500, body: {} }), tmp);
    expect(await json.run('publish', bad, '--json')).toBe(ExitCode.Failed);
    expect(JSON.parse(json.stdout())).toMatchObject({
      published: false,
      file: 'bad.yaml',
      problems: expect.arrayContaining([expect.objectContaining({ path: 'mode' })]),
    });
  });

  it('refuses a folder of several definitions and a missing file as usage errors', async () => {
    const folder = join(tmp, 'many');
    for (const name of ['a', 'b']) {
      mkdirSync(join(folder, name), { recursive: true });
      writeFileSync(
        join(folder, name, 'workflow.yaml'),
        billing.replace(/^version: 1$/m, `version: ${name === 'a' ? 3 : 4}`),
      );
    }
    const cli = harness(() => ({ status: 500, body: {} }), tmp);
    expect(await cli.run('publish', 'many')).toBe(ExitCode.Usage);
    expect(cli.stderr()).toContain('many holds 2 definitions; publish one file at a time');
    expect(await cli.run('publish', 'missing.yaml')).toBe(ExitCode.Failed);
    expect(cli.stdout()).toContain('missing.yaml');
    expect(cli.stdout()).toContain('no such file or folder');
    expect(cli.requests).toHaveLength(0);
  });
});

describe('workflows', () => {
  it('lists every version with its source and which one is latest', async () => {
    const items = [
      { ...summary, version: 1, source: 'bundled', publishedBy: 'bundled:trigger', latest: false },
      summary,
    ];
    const cli = harness(() => ({ status: 200, body: { items } }), tmp);
    expect(await cli.run('workflows')).toBe(ExitCode.Ok);
    expect(cli.requests[0]!.url.pathname).toBe('/v1/workflows');
    const lines = cli.stdout().trimEnd().split('\n');
    expect(lines[0]).toMatch(/^WORKFLOW\s+VERSION\s+MODE\s+SOURCE\s+PUBLISHED\s+DIGEST/);
    expect(lines[1]).toMatch(
      /^billing-dispute\s+v1\s+live\s+bundled\s+2026-03-01 10:00:00 UTC\s+0123456789ab\s*$/,
    );
    expect(lines[2]).toMatch(/^billing-dispute\s+v2\s+live\s+published\s+.*0123456789ab\s+latest$/);

    const json = harness(() => ({ status: 200, body: { items } }), tmp);
    expect(await json.run('workflows', '--json')).toBe(ExitCode.Ok);
    expect(JSON.parse(json.stdout())).toEqual({ items });
  });
});

describe('publish --candidate and promote', () => {
  it('publishes a candidate with ?candidate=true and says how it goes live', async () => {
    const cli = harness(
      () => ({ status: 201, body: { ...summary, latest: false, candidate: true, created: true } }),
      tmp,
    );
    expect(await cli.run('publish', v2, '--candidate')).toBe(ExitCode.Ok);
    expect(cli.requests[0]!.url.search).toBe('?candidate=true');
    expect(cli.stdout()).toContain('✓ published billing-dispute v2 as a candidate');
    expect(cli.stdout()).toContain('baton promote billing-dispute 2');
  });

  it('promotes, printing the gate; a gate not met exits 1 with each requirement', async () => {
    const gate = {
      met: true,
      against: 1,
      requirements: [
        {
          requirement: 'backtest',
          met: true,
          summary: 'backtest b1 against version 1 meets the gate',
          backtestId: 'b1',
          caseResultId: null,
          measures: [],
        },
      ],
    };
    const cli = harness(
      () => ({
        status: 200,
        body: { ...summary, promoted: true, promotedBy: 'admin-1', overrideReason: null, gate },
      }),
      tmp,
    );
    expect(await cli.run('promote', 'billing-dispute', '2')).toBe(ExitCode.Ok);
    expect(cli.requests[0]).toMatchObject({ method: 'POST', body: {} });
    expect(cli.requests[0]!.url.pathname).toBe('/v1/workflows/billing-dispute/versions/2/promote');
    expect(cli.stdout()).toContain(
      '✓ promoted billing-dispute v2: new triggers of billing-dispute start it',
    );
    expect(cli.stdout()).toContain('✓ backtest: backtest b1 against version 1 meets the gate');

    const refusal = {
      statusCode: 409,
      error: 'publish-gate-failed',
      message: 'billing-dispute@2: the publish gate is not met (backtest)',
      problems: ['backtest: backtest b1 against version 1: agreementRate 0.5 (at least 0.9)'],
      gate: { ...gate, met: false },
    };
    const refused = harness(() => ({ status: 409, body: refusal }), tmp);
    expect(await refused.run('promote', 'billing-dispute', '2')).toBe(ExitCode.Failed);
    expect(refused.stderr()).toContain('error: HTTP 409 publish-gate-failed');
    expect(refused.stderr()).toContain(
      '  backtest: backtest b1 against version 1: agreementRate 0.5',
    );

    const overridden = harness(
      () => ({
        status: 200,
        body: {
          ...summary,
          promoted: true,
          promotedBy: 'admin-1',
          overrideReason: 'hotfix',
          gate: { ...gate, met: false },
        },
      }),
      tmp,
    );
    expect(await overridden.run('promote', 'billing-dispute', '2', '--override', 'hotfix')).toBe(
      ExitCode.Ok,
    );
    expect(overridden.requests[0]!.body).toEqual({ override: { reason: 'hotfix' } });
    expect(overridden.stdout()).toContain('gate overridden by admin-1: hotfix');
    expect(await overridden.run('promote', 'billing-dispute', 'two')).toBe(ExitCode.Usage);
  });
});
