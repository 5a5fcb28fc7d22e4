import { describe, expect, it } from 'vitest';
import type { DeadLetterPage, DeadLetterSummary } from '../api-types.js';
import { ExitCode } from '../exit-codes.js';
import { main } from '../main.js';

const letter: DeadLetterSummary = {
  id: '019a0000-0000-7000-8000-000000000001',
  topic: 'baton.trigger.ingress.dlq',
  partition: 0,
  offset: '4',
  sourceTopic: 'baton.trigger.ingress',
  reason: 'handler-rejected',
  errors: ['PermanentFailure: unknown-workflow: workflowId: no published workflow "late"'],
  consumer: 'baton.trigger',
  attempts: 1,
  failedAt: '2026-12-05T10:00:00.000Z',
  key: 'ticket-1',
  size: 240,
  replays: 0,
  replayedAt: null,
  replayedBy: null,
};

/** `baton dead-letters …` against a trigger service that answers `body`; what it asked and printed. */
async function deadLetters(body: unknown, ...argv: string[]) {
  const calls: Array<{ method: string; url: URL }> = [];
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['dead-letters', ...argv, '--key', 'k-1'], {
    stdout: { write: (text: string) => out.push(text) },
    stderr: { write: (text: string) => err.push(text) },
    env: {},
    cwd: process.cwd(),
    fetch: (async (input: URL | string, init?: RequestInit) => {
      calls.push({ method: init?.method ?? 'GET', url: new URL(String(input)) });
      return new Response(JSON.stringify(body), { status: 200 });
    }) as typeof fetch,
    sleep: async () => undefined,
  });
  return { code, calls, stdout: out.join(''), stderr: err.join('') };
}

describe('baton dead-letters', () => {
  const page: DeadLetterPage = {
    items: [letter],
    nextCursor: letter.id,
    topics: [{ topic: letter.topic, sourceTopic: letter.sourceTopic, total: 3, open: 1 }],
  };

  it('lists them with the filters given, each topic counted, and the next page', async () => {
    const run = await deadLetters(page, '--status', 'open', '--reason', 'handler-rejected');
    expect(run.code).toBe(ExitCode.Ok);
    expect(run.calls).toHaveLength(1);
    expect(run.calls[0]!.url.pathname).toBe('/v1/dead-letters');
    expect(Object.fromEntries(run.calls[0]!.url.searchParams)).toEqual({
      status: 'open',
      reason: 'handler-rejected',
    });
    expect(run.stdout).toContain('baton.trigger.ingress.dlq: 1 waiting of 3');
    expect(run.stdout).toMatch(
      /019a0000-0000-7000-8000-000000000001 +baton\.trigger\.ingress +handler-rejected/,
    );
    expect(run.stdout).toContain(`more: baton dead-letters --cursor ${letter.id}`);
  });

  it('replays one with --replay', async () => {
    const run = await deadLetters(
      { ...letter, replays: 1, replayedBy: 'ops' },
      '--replay',
      letter.id,
    );
    expect(run.code).toBe(ExitCode.Ok);
    expect(run.calls.map((c) => [c.method, c.url.pathname])).toEqual([
      ['POST', `/v1/dead-letters/${letter.id}/replay`],
    ]);
    expect(run.stdout).toContain(
      `dead letter ${letter.id} sent back to baton.trigger.ingress (1 replay)`,
    );
  });

  it('refuses a status it does not know before calling', async () => {
    const run = await deadLetters(page, '--status', 'lost');
    expect(run.code).toBe(ExitCode.Usage);
    expect(run.calls).toEqual([]);
    expect(run.stderr).toContain('status');
  });
});
