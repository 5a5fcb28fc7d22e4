import { describe, expect, it } from 'vitest';
import type { OutcomeStats, StatsAnswer, StatsComparison } from '../api-types.js';
import { ExitCode } from '../exit-codes.js';
import { main } from '../main.js';

const figures: OutcomeStats = {
  runs: 8,
  outcomes: {
    completed: 2,
    approved: 1,
    edited: 1,
    rejected: 1,
    failed: 1,
    cancelled: 0,
    escalated: 1,
    running: 1,
  },
  ended: 6,
  escalated: 4,
  reviewed: 3,
  corrected: 2,
  completionRate: 4 / 6,
  automationRate: 2 / 6,
  escalationRate: 0.5,
  correctionRate: 2 / 3,
  topEscalationReasons: [{ reason: 'amount above limit', runs: 2 }],
  topFailureReasons: [{ reason: 'model unavailable', runs: 1 }],
  timeToOutcomeMs: { p50: 17_000, p95: 106_000 },
  reviewWaitMs: { p50: 60_000, p95: 114_000 },
  tokens: 400,
  tokensPerRun: 50,
  costUsd: 0.04,
  costPerRunUsd: 0.005,
  timeSavedMinutes: 48,
};
const window = { since: '2026-11-28T00:00:00.000Z', until: null };

/** `baton stats …` against a trigger service that answers `body`; what it asked and printed. */
async function stats(body: StatsAnswer | StatsComparison, ...argv: string[]) {
  const urls: URL[] = [];
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['stats', ...argv, '--key', 'k-1'], {
    stdout: { write: (text: string) => out.push(text) },
    stderr: { write: (text: string) => err.push(text) },
    env: {},
    cwd: process.cwd(),
    fetch: (async (input: URL | string) => {
      urls.push(new URL(String(input)));
      return new Response(JSON.stringify(body), { status: 200 });
    }) as typeof fetch,
    sleep: async () => undefined,
  });
  return { code, urls, stdout: out.join(''), stderr: err.join('') };
}

describe('baton stats', () => {
  const answer: StatsAnswer = {
    ...figures,
    window,
    workflowId: 'billing-dispute',
    version: null,
    tenant: null,
  };

  it('asks for the last 7 days by default and prints each figure', async () => {
    const result = await stats(answer, 'billing-dispute');
    expect(result.code).toBe(ExitCode.Ok);
    expect(result.urls[0]!.pathname).toBe('/v1/stats');
    expect(Object.fromEntries(result.urls[0]!.searchParams)).toEqual({
      workflow: 'billing-dispute',
      since: '7d',
    });
    const lines = result.stdout.split('\n');
    expect(lines[0]).toBe('billing-dispute — since 2026-11-28T00:00:00.000Z');
    for (const line of [
      'runs                                8',
      '  approved with edits               1',
      'completion rate                66.7 %',
      'escalation rate                50.0 %',
      'correction rate                66.7 %',
      'time to outcome p95            1m 46s',
      'review wait p50                1m 00s',
      'cost per run                  $0.0050',
      'time saved                     48 min',
      '      2  amount above limit',
      '      1  model unavailable',
    ])
      expect(lines).toContain(line);
  });

  it('compares two versions side by side; --json prints the answer as it came', async () => {
    const comparison: StatsComparison = {
      window,
      tenant: 'acme',
      workflowId: 'billing-dispute',
      versions: [
        { version: 3, stats: figures },
        { version: 4, stats: { ...figures, runs: 2, correctionRate: null } },
      ],
    };
    const result = await stats(comparison, 'billing-dispute', '--compare', '3,4', '--since', '30d');
    expect(Object.fromEntries(result.urls[0]!.searchParams)).toEqual({
      workflow: 'billing-dispute',
      since: '30d',
      compare: '3,4',
    });
    const lines = result.stdout.split('\n');
    expect(lines).toContain('                                   v3       v4');
    expect(lines).toContain('runs                                8        2');
    expect(lines).toContain('correction rate                66.7 %        -');
    const json = await stats(comparison, 'billing-dispute', '--compare', '3,4', '--json');
    expect(JSON.parse(json.stdout)).toEqual(comparison);
  });

  it('refuses --compare without a workflow, or not two versions, before asking', async () => {
    const noWorkflow = await stats(answer, '--compare', '3,4');
    expect(noWorkflow.code).toBe(ExitCode.Usage);
    expect(noWorkflow.stderr).toContain('--compare: name the workflow');
    const bad = await stats(answer, 'billing-dispute', '--compare', '3');
    expect(bad.code).toBe(ExitCode.Usage);
    expect(bad.urls).toEqual([]);
  });
});
