import { describe, expect, it } from 'vitest';
import type { Run, RunStep } from '../api-types.js';
import { billingRun } from '../testing/billing-run.fixture.js';
import { formatTimeline, stepDetails } from './timeline.js';

const step = (fields: Partial<RunStep> & Pick<RunStep, 'kind' | 'outcome'>): RunStep => ({
  seq: 1,
  name: 'a-step',
  ...fields,
});

describe(formatTimeline.name, () => {
  const lines = formatTimeline(billingRun);

  it('opens with the run, workflow, tenant and event', () => {
    expect(lines.slice(0, 2)).toEqual([
      'run 0197a8c4-5e1b-7c3d-9f20-4b6e8a1d2c3f  billing-dispute v1  tenant acme',
      'event billing.dispute.opened from web-form · key demo-1 · created 2026-11-25 09:30:00 UTC',
    ]);
  });

  it("names the run's trace when it has one", () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    expect(formatTimeline({ ...billingRun, traceId }).slice(0, 3)).toEqual([
      lines[0],
      lines[1],
      `trace ${traceId}`,
    ]);
    expect(lines[2]).not.toMatch(/^trace/);
  });

  it('gives every step a row: seq, kind, name, outcome and duration, aligned', () => {
    const rows = lines.filter((line) => /^\s{2}\s*\d+\s{2}/.test(line));
    expect(rows).toHaveLength(12);
    expect(lines).toContain(
      '  SEQ  KIND        STEP                              OUTCOME          TIME',
    );
    expect(rows[0]).toBe(
      '    0  context     gather-context                    gathered        42 ms',
    );
    // A retried step says which attempt finished it; seconds past 1000 ms.
    expect(rows[5]).toBe(
      '    5  action      execute-issue-credit (attempt 2)  succeeded       1.3 s',
    );
    expect(rows[11]).toBe(
      '   11  decision    decide                            complete         2 ms',
    );
  });

  it('shows what each step concluded under it, args on one line within the width', () => {
    const under = (seq: number) => {
      const start = lines.findIndex((line) => new RegExp(`^\\s+${seq}  `).test(line));
      const end = lines.findIndex((line, i) => i > start && !line.startsWith('       '));
      return lines.slice(start + 1, end).map((line) => line.trim());
    };
    expect(under(0)).toEqual([
      'sources: customer: ok 12 ms · invoices: ok 15 ms · policy: missing 8 ms (optional source',
      'found nothing)',
    ]);
    expect(under(1)).toEqual([
      'disputed-charge · confidence 0.90 · by rules (rule structured-dispute)',
      'why: The upstream form names the invoice and the disputed amount.',
      '→ issue-credit {"customerId":"cus_1001","invoiceId":"inv_2001","amount":80,"reason":"Charged…',
    ]);
    expect(under(2)).toEqual([
      "needs approval: Credits above $50 need a reviewer's approval (refund policy §2).",
    ]);
    expect(under(3)).toEqual([
      'task 0197a8c4-6000-7000-8000-000000000001 in queue billing',
      "why: Credits above $50 need a reviewer's approval (refund policy §2).",
    ]);
    expect(under(4)).toEqual([
      'after: review-approved',
      'disputed-charge · confidence 0.90 · by reviewer (dana)',
      'why: The upstream form names the invoice and the disputed amount.',
      '→ issue-credit {"customerId":"cus_1001","invoiceId":"inv_2001","amount":60,"reason":"Charged…',
    ]);
    expect(under(5)).toEqual([
      'issue-credit {"customerId":"cus_1001","invoiceId":"inv_2001","amount":60,"reason":"Charged t…',
      '→ succeeded {"id":"cr_31","customer_id":"cus_1001","invoice_id":"inv_2001","amount":60}',
    ]);
    expect(under(6)).toEqual(['recorded issue-credit: succeeded']);
    expect(under(8)).toEqual(['checks passed for draft-reply']);
    expect(Math.max(...lines.map((line) => line.length))).toBeLessThanOrEqual(100);
  });

  it('ends with the terminal status, how long the run took and its reason', () => {
    expect(lines.at(-1)).toBe(
      'completed after 30m 12s: The credit decision is made and the reply is drafted.',
    );
    expect(lines.at(-2)).toBe('');
  });

  it('says how long a run that has not ended has been going, without a reason when none', () => {
    const running: Run = {
      ...billingRun,
      status: 'waiting-for-review',
      reason: "Credits above $50 need a reviewer's approval (refund policy §2).",
      endedAt: null,
      steps: billingRun.steps.slice(0, 4),
    };
    const now = new Date(Date.parse(billingRun.createdAt!) + 65_000);
    expect(formatTimeline(running, { now }).at(-1)).toBe(
      "waiting-for-review for 1m 05s: Credits above $50 need a reviewer's approval (refund policy §2).",
    );
    const fresh: Run = { id: 'r-1', status: 'running', steps: [] };
    expect(formatTimeline(fresh)).toEqual(['run r-1', '', 'no steps recorded yet', '', 'running']);
  });

  it('colours only through the style it is given', () => {
    expect(lines.join('\n')).not.toContain('\x1b[');
    const styled = formatTimeline(billingRun, {
      style: (style, text) => `<${[style].flat().join('+')}>${text}</>`,
    });
    expect(styled.at(-1)).toBe(
      '<bold+green>completed</> after 30m 12s: The credit decision is made and the reply is drafted.',
    );
    expect(styled.find((line) => line.includes('needs-approval'))).toContain(
      '<yellow>needs-approval</>',
    );
  });

  it('wraps long reasons at the width it is given', () => {
    const failed: Run = {
      id: 'r-2',
      status: 'failed',
      reason: 'deadline passed: the run had 60 minutes and used them all',
      steps: [],
    };
    expect(formatTimeline(failed, { width: 40 }).slice(-2)).toEqual([
      'failed: deadline passed: the run had 60',
      '  minutes and used them all',
    ]);
  });
});

describe(stepDetails.name, () => {
  it('shows a failed tool call with its error, refused and reused calls', () => {
    expect(
      stepDetails(
        step({
          kind: 'action',
          outcome: 'failed',
          output: {
            tool: 'issue-credit',
            args: { amount: 900 },
            result: { status: 'failed', error: 'amount 900 exceeds maxAmount 500' },
            refused: true,
          },
        }),
      ),
    ).toEqual([
      'issue-credit {"amount":900}',
      '→ failed: amount 900 exceeds maxAmount 500',
      'refused: not run (a guard or an effect limit said no)',
    ]);
    expect(
      stepDetails(
        step({
          kind: 'action',
          outcome: 'simulated',
          output: { tool: 'issue-credit', args: {}, result: { status: 'simulated' }, reused: true },
        }),
      ),
    ).toEqual([
      'issue-credit {}',
      '→ simulated',
      'already run for this idempotency key: result reused',
    ]);
  });

  it('shows a model decision with its usage, and a refused ungranted proposal', () => {
    expect(
      stepDetails(
        step({
          kind: 'decision',
          outcome: 'escalate',
          input: { reason: 'context-gathered' },
          output: {
            decision: {
              next: 'escalate',
              label: 'ungranted-tool',
              confidence: 1,
              rationale: 'model proposed tool "wire-money", which this workflow does not grant',
              decidedBy: 'model',
            },
            model: { calls: [{}, {}], tokens: 1234, costUsd: 0.00074 },
            refusedProposal: { next: 'act', tool: 'wire-money', args: { to: 'x' } },
          },
        }),
      ),
    ).toEqual([
      'ungranted-tool · confidence 1.00 · by model',
      'model: 2 calls, 1234 tokens, $0.0007',
      'why: model proposed tool "wire-money", which this workflow does not grant',
      'refused proposal: wire-money {"to":"x"}',
    ]);
  });

  it('shows an unsure model proposal, and a decision not acted on because its call overspent', () => {
    expect(
      stepDetails(
        step({
          kind: 'decision',
          outcome: 'escalate',
          output: {
            decision: {
              next: 'escalate',
              tool: 'issue-credit',
              label: 'duplicate-charge',
              confidence: 0.42,
              rationale: 'the model is 0.42 sure of "act issue-credit"',
              decidedBy: 'model',
            },
            unsureProposal: { next: 'act', tool: 'issue-credit', args: { amount: 18 } },
          },
        }),
      ),
    ).toEqual([
      'duplicate-charge · confidence 0.42 · by model',
      'why: the model is 0.42 sure of "act issue-credit"',
      'unsure proposal: issue-credit {"amount":18}',
    ]);
    expect(
      stepDetails(
        step({
          kind: 'decision',
          outcome: 'stopped',
          output: {
            reason: 'stopped: the model call used 1500 tokens with 1000 left',
            refusedDecision: { next: 'act', tool: 'issue-credit', args: { amount: 18 } },
          },
        }),
      ),
    ).toEqual([
      'stopped: the model call used 1500 tokens with 1000 left',
      'not acted on: act issue-credit {"amount":18}',
    ]);
  });

  it('shows why a decision stopped, a rejection and a decision of an ended run', () => {
    expect(
      stepDetails(
        step({
          kind: 'decision',
          outcome: 'stopped',
          output: { reason: 'budget spent: 20 steps' },
        }),
      ),
    ).toEqual(['stopped: budget spent: 20 steps']);
    expect(
      stepDetails(
        step({
          kind: 'decision',
          outcome: 'rejected',
          input: { reason: 'review-rejected' },
          output: {
            reviewer: { name: 'dana', role: 'reviewer' },
            reason: 'annual plan, no refund',
          },
        }),
      ),
    ).toEqual(['after: review-rejected', 'rejected by dana: annual plan, no refund']);
    expect(
      stepDetails(
        step({
          kind: 'decision',
          outcome: 'run-ended',
          output: { status: 'cancelled', reason: 'cancelled by ops: duplicate ticket' },
        }),
      ),
    ).toEqual(['not decided, the run had ended: cancelled: cancelled by ops: duplicate ticket']);
  });

  it('shows a failed check, weak evidence and a task created for an ended run', () => {
    expect(
      stepDetails(
        step({
          kind: 'validation',
          outcome: 'failed',
          output: { message: 'A credit amount must be positive.', failures: 3, escalated: true },
        }),
      ),
    ).toEqual(['failed: A credit amount must be positive. (failure 3, escalated)']);
    expect(
      stepDetails(
        step({
          kind: 'context',
          outcome: 'gathered-weak',
          output: {
            sources: { customer: { status: 'weak', ms: 2000, note: 'required source timed out' } },
            weakEvidence: true,
          },
        }),
      ),
    ).toEqual([
      'sources: customer: weak 2.0 s (required source timed out)',
      'weak evidence: a reviewer should not trust it alone',
    ]);
    expect(
      stepDetails(
        step({
          kind: 'escalation',
          outcome: 'run-ended',
          output: {
            taskId: 't-1',
            queue: 'billing',
            reason: 'x',
            closedReason: 'run ended: cancelled',
          },
        }),
      ),
    ).toEqual(['task t-1 in queue billing', 'why: x', 'closed: run ended: cancelled']);
  });
});
