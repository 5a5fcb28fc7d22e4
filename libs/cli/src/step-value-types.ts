// The step-value answer of the trigger API (docs/http-api.md, GET /v1/workflows/{id}/step-value),
// as far as the CLI reads it.

/** Every line has these; the counts differ by kind of step (docs/outcomes.md#step-value). */
export interface StepValueLine {
  name?: string;
  reason?: string;
  index?: number;
  rate: number | null;
  verdict: 'consider-removing' | 'keep' | 'not-observable' | 'too-few-runs';
  summary: string;
}

export interface StepValueAnswer {
  workflowId: string;
  version: number;
  window: { since: string | null; until: string | null };
  runs: number;
  decisionsBy: { rules: number; model: number; reviewer: number };
  minRuns: number;
  sources: StepValueLine[];
  rules: StepValueLine[];
  checks: StepValueLine[];
  approvals: StepValueLine[];
  tools: StepValueLine[];
}
