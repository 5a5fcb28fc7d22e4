import type { Condition, WorkflowDefinition } from '@baton/workflow';

/**
 * The step-value report (docs/outcomes.md, "Step value"): per step of one workflow version, how
 * often it changed a run's course, from what the run ledger records of each step. Pure: the
 * runs' facts in, the lines out.
 */

/** One recorded step of a run, reduced to what the report reads. */
export interface StepFacts {
  kind: string;
  name: string;
  outcome: string;
  /** context: `{ <source>: { status } }` (ok, missing, weak, failed). */
  sources?: Record<string, { status?: string }> | null;
  /** decision: the rule that decided, when a rule did. */
  rule?: string | null;
  /** decision: rules, model or reviewer; and the decision's label. */
  decidedBy?: string | null;
  label?: string | null;
  /** validation of a proposal: the proposed tool; its problems when refused. */
  tool?: string | null;
  problems?: Array<{ guard?: string; subject?: string }> | null;
  /** validation `needs-approval` and escalation: the reason (an approval's reason). */
  reason?: string | null;
}

/** A run in the window with its steps in order and the last review's verdict. */
export interface RunFacts {
  steps: StepFacts[];
  /** approved, edited, rejected, or null when no person gave a verdict. */
  reviewOutcome: string | null;
}

/**
 * `consider-removing`: the sample is large enough and the step never changed a run; `keep`: it
 * did; `not-observable`: a source only the model saw (what it weighed is not recorded);
 * `too-few-runs`: the sample is below the minimum, no verdict.
 */
export type Verdict = 'consider-removing' | 'keep' | 'not-observable' | 'too-few-runs';

export interface SourceLine {
  name: string;
  runs: number;
  statuses: { ok: number; missing: number; weak: number; failed: number };
  /** Runs where a rule that decided, a check that refused or an approval that was asked reads it. */
  readByRule: number;
  readByGuard: number;
  /** Runs the source changed: read as above, or its failure escalated the run. */
  changed: number;
  /** Runs a model decided in: the model saw the source; whether it weighed it is not recorded. */
  modelDecisions: number;
  rate: number | null;
  verdict: Verdict;
  summary: string;
}

export interface RuleLine {
  name: string;
  /** Decision steps that ran in the window (each tries the rules in order). */
  decisions: number;
  fired: number;
  rate: number | null;
  verdict: Verdict;
  summary: string;
}

export interface CheckLine {
  name: string;
  tool: string | null;
  /** Proposals the validation step judged that the check applies to. */
  checked: number;
  refused: number;
  rate: number | null;
  verdict: Verdict;
  summary: string;
}

export interface ApprovalLine {
  /** The approval's position in `validation.approvals` (from 0). */
  index: number;
  tool: string | null;
  reason: string;
  /** Proposals the approval held for a person. */
  asked: number;
  approved: number;
  edited: number;
  rejected: number;
  /** Asked, but no verdict attributable to it (still waiting, or a later task's verdict). */
  noVerdict: number;
  /** (edited + rejected) / (approved + edited + rejected). */
  rate: number | null;
  verdict: Verdict;
  summary: string;
}

export interface ToolLine {
  name: string;
  access: 'read' | 'write';
  /** Runs with a proposal of the tool (validated), runs where it ran (an action step). */
  proposedRuns: number;
  executedRuns: number;
  rate: number | null;
  verdict: Verdict;
  summary: string;
}

export interface StepValueLines {
  runs: number;
  /** Decision steps by who decided (the decision's `decidedBy`). */
  decisionsBy: { rules: number; model: number; reviewer: number };
  sources: SourceLine[];
  rules: RuleLine[];
  checks: CheckLine[];
  approvals: ApprovalLine[];
  tools: ToolLine[];
}

/** Proposal validations that judged the proposal (not stopped, not of an ended run). */
const JUDGED = new Set(['passed', 'failed', 'needs-approval', 'repeated-failure']);
const EXECUTED = new Set(['succeeded', 'simulated']);

/** Whether a condition, template or any text mentions `evidence.<source>` (or `evidence['<source>']`). */
export function mentionsSource(text: string, source: string): boolean {
  const name = source.replace(/[-]/g, '\\-');
  return new RegExp(`\\bevidence(\\.${name}(?![\\w-])|\\[\\s*['"]${name}['"]\\s*\\])`).test(text);
}

const textOf = (value: Condition[] | unknown): string => JSON.stringify(value ?? null);

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

const rateOf = (part: number, whole: number): number | null => (whole > 0 ? part / whole : null);

function judge(sample: number, minRuns: number, never: boolean): Verdict {
  if (sample < minRuns) return 'too-few-runs';
  return never ? 'consider-removing' : 'keep';
}

/** The report's lines for `workflow` over `runs`; a verdict needs `minRuns` in its sample. */
export function stepValue(
  workflow: WorkflowDefinition,
  runs: RunFacts[],
  minRuns: number,
): StepValueLines {
  const { rules } = workflow.decision;
  const { checks, approvals } = workflow.validation;
  const approvalOf = (reason: string | null | undefined, tool: string | null | undefined) =>
    approvals.findIndex((a) => a.reason === reason && (a.tool === undefined || a.tool === tool));

  const sources = workflow.context.sources.map((source) => ({
    name: source.name,
    runs: 0,
    statuses: { ok: 0, missing: 0, weak: 0, failed: 0 },
    readByRule: 0,
    readByGuard: 0,
    changed: 0,
    modelDecisions: 0,
  }));
  const fired = new Map(rules.map((r) => [r.name, 0]));
  const checked = checks.map(() => ({ checked: 0, refused: 0 }));
  const asked = approvals.map(() => ({ asked: 0, approved: 0, edited: 0, rejected: 0 }));
  const proposedRuns = new Map(workflow.tools.map((t) => [t.name, 0]));
  const executedRuns = new Map(workflow.tools.map((t) => [t.name, 0]));
  let decisions = 0;
  const decisionsBy = { rules: 0, model: 0, reviewer: 0 };

  for (const run of runs) {
    const firedRules = new Set<string>();
    const refusedChecks = new Set<number>();
    const askedApprovals = new Set<number>();
    const proposed = new Set<string>();
    const executed = new Set<string>();
    let modelDecided = false;
    let sourceFailedEscalation = false;
    let statuses: StepFacts['sources'] = null;
    let lastApproval: number | undefined;
    let lastTaskReason: string | null | undefined;

    for (const step of run.steps) {
      if (step.kind === 'context' && statuses === null) statuses = step.sources ?? {};
      if (step.kind === 'decision' && step.decidedBy && step.decidedBy in decisionsBy)
        decisionsBy[step.decidedBy as keyof typeof decisionsBy] += 1;
      // Rules are tried on every decision but a reviewer's and an escalation on a failed source.
      if (step.kind === 'decision' && (step.decidedBy === 'rules' || step.decidedBy === 'model')) {
        if (step.label === 'source-failed') sourceFailedEscalation = true;
        else decisions += 1;
        if (step.rule) {
          firedRules.add(step.rule);
          if (fired.has(step.rule)) fired.set(step.rule, fired.get(step.rule)! + 1);
        }
        if (step.decidedBy === 'model') modelDecided = true;
      }
      if (step.kind === 'validation' && step.name === 'validate-proposal') {
        if (!JUDGED.has(step.outcome)) continue;
        const tool = step.tool ?? null;
        if (tool) proposed.add(tool);
        checks.forEach((check, i) => {
          if (check.tool !== undefined && check.tool !== tool) return;
          checked[i]!.checked += 1;
          const refused = (step.problems ?? []).some(
            (p) => p.guard === 'check' && p.subject === check.name,
          );
          if (refused) {
            checked[i]!.refused += 1;
            refusedChecks.add(i);
          }
        });
        if (step.outcome === 'needs-approval') {
          const i = approvalOf(step.reason, tool);
          if (i >= 0) {
            asked[i]!.asked += 1;
            askedApprovals.add(i);
            lastApproval = i;
          }
        }
      }
      if (step.kind === 'escalation' && step.outcome === 'task-created')
        lastTaskReason = step.reason;
      if (step.kind === 'action' && EXECUTED.has(step.outcome) && step.name.startsWith('execute-'))
        executed.add(step.name.slice('execute-'.length));
    }

    // The run keeps its last review only: it is the verdict on the last task, counted for the
    // approval when that task was opened by it.
    const reviewed = run.reviewOutcome as 'approved' | 'edited' | 'rejected' | null;
    if (
      lastApproval !== undefined &&
      reviewed &&
      lastTaskReason === approvals[lastApproval]!.reason &&
      reviewed in asked[lastApproval]!
    )
      asked[lastApproval]![reviewed] += 1;

    for (const tool of proposed)
      if (proposedRuns.has(tool)) proposedRuns.set(tool, proposedRuns.get(tool)! + 1);
    for (const tool of executed)
      if (executedRuns.has(tool)) executedRuns.set(tool, executedRuns.get(tool)! + 1);

    if (statuses === null) continue;
    for (const line of sources) {
      const status = statuses[line.name]?.status;
      if (status === undefined) continue;
      line.runs += 1;
      if (status in line.statuses) line.statuses[status as keyof SourceLine['statuses']] += 1;
      const byRule = rules.some(
        (r) => firedRules.has(r.name) && mentionsSource(textOf([r.when, r.then]), line.name),
      );
      const byGuard =
        [...refusedChecks].some((i) => mentionsSource(textOf(checks[i]!.failWhen), line.name)) ||
        [...askedApprovals].some((i) => mentionsSource(textOf(approvals[i]!.when), line.name));
      const escalatedOnFailure = sourceFailedEscalation && status === 'failed';
      if (byRule) line.readByRule += 1;
      if (byGuard) line.readByGuard += 1;
      if (byRule || byGuard || escalatedOnFailure) line.changed += 1;
      if (modelDecided) line.modelDecisions += 1;
    }
  }

  return {
    runs: runs.length,
    decisionsBy,
    sources: sources.map((line) => {
      const never = line.changed === 0 && line.modelDecisions === 0;
      const alwaysEmpty = line.runs > 0 && line.statuses.ok === 0;
      let verdict = judge(line.runs, minRuns, never || (line.changed === 0 && alwaysEmpty));
      if (verdict === 'keep' && line.changed === 0) verdict = 'not-observable';
      return {
        ...line,
        rate: rateOf(line.changed, line.runs),
        verdict,
        summary: sourceSummary(line, never, alwaysEmpty, verdict, minRuns),
      };
    }),
    rules: rules.map((rule) => {
      const count = fired.get(rule.name)!;
      const verdict = judge(decisions, minRuns, count === 0);
      return {
        name: rule.name,
        decisions,
        fired: count,
        rate: rateOf(count, decisions),
        verdict,
        summary:
          count === 0
            ? `never decided in ${plural(decisions, 'decision')}${advice(verdict, minRuns)}`
            : `decided ${plural(count, 'time')} in ${plural(decisions, 'decision')}`,
      };
    }),
    checks: checks.map((check, i) => {
      const { checked: count, refused } = checked[i]!;
      const verdict = judge(count, minRuns, refused === 0);
      return {
        name: check.name,
        tool: check.tool ?? null,
        checked: count,
        refused,
        rate: rateOf(refused, count),
        verdict,
        summary:
          refused === 0
            ? `never refused a proposal in ${plural(count, 'proposal')} checked${advice(verdict, minRuns)}`
            : `refused ${plural(refused, 'proposal')} of ${count} checked`,
      };
    }),
    approvals: approvals.map((approval, i) => {
      const counts = asked[i]!;
      const verdicts = counts.approved + counts.edited + counts.rejected;
      const corrected = counts.edited + counts.rejected;
      const verdict = judge(verdicts, minRuns, corrected === 0);
      return {
        index: i,
        tool: approval.tool ?? null,
        reason: approval.reason,
        ...counts,
        noVerdict: counts.asked - verdicts,
        rate: rateOf(corrected, verdicts),
        verdict,
        summary:
          corrected === 0
            ? `approved as proposed in ${verdicts} of ${plural(verdicts, 'review')} (asked ${plural(counts.asked, 'time')})${advice(verdict, minRuns)}`
            : `corrected in ${corrected} of ${plural(verdicts, 'review')} (${counts.edited} edited, ${counts.rejected} rejected)`,
      };
    }),
    tools: workflow.tools.map((tool) => {
      const proposedCount = proposedRuns.get(tool.name)!;
      const executedCount = executedRuns.get(tool.name)!;
      const verdict = judge(runs.length, minRuns, proposedCount === 0 && executedCount === 0);
      return {
        name: tool.name,
        access: tool.access,
        proposedRuns: proposedCount,
        executedRuns: executedCount,
        rate: rateOf(Math.max(proposedCount, executedCount), runs.length),
        verdict,
        summary:
          proposedCount === 0 && executedCount === 0
            ? `never proposed or run in ${plural(runs.length, 'run')}${advice(verdict, minRuns)}`
            : `proposed in ${plural(proposedCount, 'run')}, ran in ${executedCount}, of ${runs.length}`,
      };
    }),
  };
}

function advice(verdict: Verdict, minRuns: number): string {
  if (verdict === 'consider-removing') return ' — consider removing';
  if (verdict === 'too-few-runs') return ` (too few to judge: a verdict needs ${minRuns})`;
  return '';
}

function sourceSummary(
  line: Omit<SourceLine, 'rate' | 'verdict' | 'summary'>,
  never: boolean,
  alwaysEmpty: boolean,
  verdict: Verdict,
  minRuns: number,
): string {
  const n = plural(line.runs, 'run');
  if (line.changed > 0)
    return `read by what decided in ${line.changed} of ${n} (${line.readByRule} by a rule, ${line.readByGuard} by a check or approval)`;
  if (never)
    return `never read by a rule, check or approval that decided in ${n}, and no model decision saw it${advice(verdict, minRuns)}`;
  if (alwaysEmpty)
    return `found nothing in all ${n}; no rule, check or approval that decided read it${advice(verdict, minRuns)}`;
  return `no rule, check or approval that decided read it in ${n}; the model decided in ${line.modelDecisions} of them with it (whether it weighed it is not recorded)`;
}
