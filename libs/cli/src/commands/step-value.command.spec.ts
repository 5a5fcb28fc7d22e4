import { describe, expect, it } from 'vitest';
import { plain } from '../output.js';
import type { StepValueAnswer, StepValueLine } from '../step-value-types.js';
import { formatStepValue } from './step-value.command.js';

const line = (
  name: string,
  rate: number | null,
  verdict: StepValueLine['verdict'],
  summary: string,
): StepValueLine => ({ name, rate, verdict, summary });

const answer: StepValueAnswer = {
  workflowId: 'billing-dispute',
  version: 4,
  window: { since: '2026-11-05T10:00:00.000Z', until: null },
  runs: 214,
  decisionsBy: { rules: 409, model: 162, reviewer: 36 },
  minRuns: 100,
  sources: [
    line('customer', 0.93, 'keep', 'read by what decided in 199 of 214 runs'),
    line('policy', 0, 'not-observable', 'no rule, check or approval that decided read it'),
  ],
  rules: [line('structured-dispute', 0, 'consider-removing', 'never decided in 571 decisions')],
  checks: [
    line('positive-credit', 0, 'consider-removing', 'never refused a proposal in 240 checked'),
  ],
  approvals: [
    {
      index: 0,
      reason: "Credits above $50 need a reviewer's approval.",
      rate: 0.3056,
      verdict: 'too-few-runs',
      summary: 'corrected in 11 of 36 reviews (8 edited, 3 rejected)',
    },
  ],
  tools: [],
};

describe(formatStepValue.name, () => {
  it('prints one table per kind of step: name, rate, verdict, summary', () => {
    expect(formatStepValue(answer, plain)).toEqual([
      'billing-dispute@4: 214 runs since 2026-11-05T10:00:00.000Z',
      'decisions: 409 by rules, 162 by the model, 36 by a reviewer',
      'a verdict needs a sample of 100; docs/outcomes.md#step-value',
      '',
      'context sources (read by what decided)',
      '  customer  93.0 %  keep            read by what decided in 199 of 214 runs',
      '  policy     0.0 %  not-observable  no rule, check or approval that decided read it',
      '',
      'rules (decided)',
      '  structured-dispute  0.0 %  consider-removing  never decided in 571 decisions',
      '',
      'checks (refused)',
      '  positive-credit  0.0 %  consider-removing  never refused a proposal in 240 checked',
      '',
      'approvals (corrected by the reviewer)',
      "  #0 Credits above $50 need a reviewer's approval.  30.6 %  too-few-runs  corrected in 11 of 36 reviews (8 edited, 3 rejected)",
      '',
      'tools (proposed or ran, of runs)',
      '  (none declared)',
    ]);
  });
});
