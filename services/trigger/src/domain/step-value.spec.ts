import { readFileSync } from 'node:fs';
import { parseWorkflow, type WorkflowDefinition } from '@baton/workflow';
import { describe, expect, it } from 'vitest';
import { mentionsSource, stepValue, type RunFacts, type StepFacts } from './step-value.js';

const billingDispute = (): WorkflowDefinition => {
  const text = readFileSync(
    new URL('../../../../workflows/billing-dispute/workflow.yaml', import.meta.url),
    'utf8',
  );
  const loaded = parseWorkflow(text, { format: 'yaml' });
  if (!('workflow' in loaded) || !loaded.workflow) throw new Error('billing-dispute does not load');
  return loaded.workflow;
};

const OVER_50 = "Credits above $50 need a reviewer's approval (refund policy §2).";

const context = (customer = 'ok'): StepFacts => ({
  kind: 'context',
  name: 'gather-context',
  outcome: 'gathered',
  sources: { customer: { status: customer }, invoices: { status: 'ok' }, policy: { status: 'ok' } },
});
const rule = (name: string): StepFacts => ({
  kind: 'decision',
  name: 'decide',
  outcome: 'act',
  rule: name,
  decidedBy: 'rules',
  label: name,
});
const model: StepFacts = { kind: 'decision', name: 'decide', outcome: 'act', decidedBy: 'model' };
const reviewer: StepFacts = {
  kind: 'decision',
  name: 'decide',
  outcome: 'act',
  decidedBy: 'reviewer',
};
const validated = (
  tool: string,
  outcome = 'passed',
  extra: Partial<StepFacts> = {},
): StepFacts => ({
  kind: 'validation',
  name: 'validate-proposal',
  outcome,
  tool,
  ...extra,
});
const ran = (tool: string): StepFacts => ({
  kind: 'action',
  name: `execute-${tool}`,
  outcome: 'succeeded',
});
const task = (reason: string): StepFacts => ({
  kind: 'escalation',
  name: 'escalate',
  outcome: 'task-created',
  reason,
});
const credited = [
  ran('issue-credit'),
  rule('reply-after-credit'),
  validated('draft-reply'),
  ran('draft-reply'),
  rule('done'),
];

/** Five runs of billing-dispute, each kind of step exercised once or more. */
const runs: RunFacts[] = [
  // A small structured dispute: credited and answered by rules alone.
  {
    reviewOutcome: null,
    steps: [context(), rule('structured-dispute'), validated('issue-credit'), ...credited],
  },
  // Above $50: held for approval, approved as proposed, then credited.
  {
    reviewOutcome: 'approved',
    steps: [
      context(),
      rule('structured-dispute'),
      validated('issue-credit', 'needs-approval', { reason: OVER_50 }),
      task(OVER_50),
      reviewer,
      validated('issue-credit'),
      ...credited,
    ],
  },
  // Above $50: the reviewer edited the amount.
  {
    reviewOutcome: 'edited',
    steps: [
      context(),
      rule('structured-dispute'),
      validated('issue-credit', 'needs-approval', { reason: OVER_50 }),
      task(OVER_50),
      reviewer,
      validated('issue-credit'),
      ...credited,
    ],
  },
  // The model proposed a credit on another customer's invoice: the check refused it.
  {
    reviewOutcome: null,
    steps: [
      context(),
      model,
      validated('issue-credit', 'failed', {
        problems: [{ guard: 'check', subject: 'customers-own-invoice' }],
      }),
      { ...model, outcome: 'escalate' },
      task('the model is unsure'),
    ],
  },
  // No customer: the rule escalates and a person rejects (not an approval's verdict).
  {
    reviewOutcome: 'rejected',
    steps: [
      context('missing'),
      { ...rule('unknown-customer'), outcome: 'escalate' },
      task('No customer record matches the ticket'),
    ],
  },
];

describe(stepValue.name, () => {
  const report = stepValue(billingDispute(), runs, 5);
  const line = <T extends { name?: string; index?: number }>(lines: T[], key: string | number) =>
    lines.find((l) => l.name === key || l.index === key)!;

  it('counts the runs a source was read in by what decided, and the model decisions that saw it', () => {
    expect(line(report.sources, 'customer')).toMatchObject({
      runs: 5,
      statuses: { ok: 4, missing: 1, weak: 0, failed: 0 },
      // reply-after-credit's template names the customer (3 runs), unknown-customer reads it.
      readByRule: 4,
      readByGuard: 0,
      changed: 4,
      modelDecisions: 1,
      rate: 0.8,
      verdict: 'keep',
    });
    expect(line(report.sources, 'invoices')).toMatchObject({
      readByRule: 0,
      readByGuard: 1,
      changed: 1,
      verdict: 'keep',
    });
    expect(line(report.sources, 'policy')).toMatchObject({
      changed: 0,
      modelDecisions: 1,
      rate: 0,
      verdict: 'not-observable',
    });
  });

  it('calls a source nothing read and no model saw one to consider removing', () => {
    const rulesOnly = runs.filter((run) => !run.steps.includes(model));
    const policy = line(stepValue(billingDispute(), rulesOnly, 4).sources, 'policy');
    expect(policy).toMatchObject({ runs: 4, changed: 0, modelDecisions: 0 });
    expect(policy.verdict).toBe('consider-removing');
    expect(policy.summary).toBe(
      'never read by a rule, check or approval that decided in 4 runs, and no model decision saw it — consider removing',
    );
  });

  it('counts each rule per decision it made, reviewer verdicts not being decisions', () => {
    expect(report.rules.map((r) => [r.name, r.fired])).toEqual([
      ['unknown-customer', 1],
      ['done', 3],
      ['reply-after-credit', 3],
      ['structured-dispute', 3],
    ]);
    // A: three by rules; B, C: three by rules and one by the reviewer; D: two by the model;
    // E: one by rules.
    expect(report.decisionsBy).toEqual({ rules: 10, model: 2, reviewer: 2 });
    expect(line(report.rules, 'done')).toMatchObject({
      decisions: 12,
      rate: 0.25,
      verdict: 'keep',
    });
  });

  it('counts the proposals each check judged and refused', () => {
    expect(report.checks.map((c) => [c.name, c.checked, c.refused, c.verdict])).toEqual([
      ['positive-credit', 6, 0, 'consider-removing'],
      ['customers-own-invoice', 6, 1, 'keep'],
      ['within-invoice-amount', 6, 0, 'consider-removing'],
      ['reply-never-asks-for-secrets', 3, 0, 'too-few-runs'],
      ['reply-links-only-to-acme', 3, 0, 'too-few-runs'],
    ]);
    expect(line(report.checks, 'positive-credit').summary).toBe(
      'never refused a proposal in 6 proposals checked — consider removing',
    );
  });

  it("counts an approval's verdicts: approved as proposed, edited, rejected", () => {
    expect(report.approvals[0]).toMatchObject({
      reason: OVER_50,
      asked: 2,
      approved: 1,
      edited: 1,
      rejected: 0,
      noVerdict: 0,
      rate: 0.5,
      verdict: 'too-few-runs',
    });
    expect(report.approvals[1]).toMatchObject({ asked: 0, rate: null, verdict: 'too-few-runs' });
    const approvedOnly = stepValue(billingDispute(), [runs[1]!, runs[1]!], 2).approvals[0]!;
    expect(approvedOnly).toMatchObject({ asked: 2, approved: 2, verdict: 'consider-removing' });
    expect(approvedOnly.summary).toBe(
      'approved as proposed in 2 of 2 reviews (asked 2 times) — consider removing',
    );
  });

  it('counts the runs each tool was proposed and ran in', () => {
    expect(report.tools.map((t) => [t.name, t.proposedRuns, t.executedRuns, t.verdict])).toEqual([
      ['issue-credit', 4, 3, 'keep'],
      ['draft-reply', 3, 3, 'keep'],
      ['search-policy', 0, 0, 'consider-removing'],
    ]);
  });

  it('gives no verdict below the minimum', () => {
    const small = stepValue(billingDispute(), runs, 100);
    expect(small.checks[0]).toMatchObject({ verdict: 'too-few-runs' });
    expect(small.checks[0]!.summary).toBe(
      'never refused a proposal in 6 proposals checked (too few to judge: a verdict needs 100)',
    );
  });
});

describe(mentionsSource.name, () => {
  it('finds evidence.<name> and evidence["<name>"], not a longer name', () => {
    expect(mentionsSource('!evidence.invoices.exists(i, i.id == args.invoiceId)', 'invoices')).toBe(
      true,
    );
    expect(mentionsSource("evidence['do-not-contact'] != null", 'do-not-contact')).toBe(true);
    expect(mentionsSource('evidence.do-not-contact', 'do-not')).toBe(false);
    expect(mentionsSource('evidence.customers', 'customer')).toBe(false);
  });
});
