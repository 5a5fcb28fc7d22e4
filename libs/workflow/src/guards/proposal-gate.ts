import type { DecisionRecord, RunState } from '@baton/contracts';
import { evaluate } from '../cel/cel.js';
import { allHold, shortJson, type Scope } from '../expression.js';
import { proposalScope, ruleScope } from '../rule-scope.js';
import type { ToolGrantSpec, WorkflowDefinition } from '../workflow-definition.js';
import { canonicalJson } from '@baton/contracts';

/** The guards a proposal passes, in the order they are checked (docs/workflows.md#guardrails). */
export type GuardName = 'grant' | 'requires' | 'pinned' | 'required' | 'max-amount' | 'check';

/** One reason a proposal may not run. */
export interface GuardProblem {
  guard: GuardName;
  message: string;
  /** The argument (pinned, required) or the check the problem is about. */
  subject?: string;
}

/** A call this run already made that failed: proposing it again would fail again. */
export interface RepeatedFailure {
  tool: string;
  error: string;
  /** The seq of the failed action step. */
  seq: number;
}

export interface GateVerdict {
  /** The proposal with its pinned arguments bound: what runs if it passes. */
  decision: DecisionRecord;
  /** Why it may not run, every reason at once; empty when it may. */
  problems: GuardProblem[];
  /** Set when exactly this call already failed in this run. */
  repeats?: RepeatedFailure;
  /** The first approval that applies, when nothing else stops the proposal. */
  approval?: { index: number; reason: string };
}

export interface GateOptions {
  /** A reviewer's decision is the approval itself: approvals are not asked again. */
  approved?: boolean;
}

/** Missing as an argument: absent, null, empty text or an empty list. */
const isAbsent = (value: unknown) =>
  value === undefined ||
  value === null ||
  value === '' ||
  (Array.isArray(value) && value.length === 0);

/**
 * The one gate every proposed write passes, whoever proposed it — a rule, the model or a
 * reviewer's edit — in the validation service before it runs, in the escalation service when a
 * reviewer approves, and again in the action service right before the tool runs:
 *
 * 1. grant — the proposal is an `act` naming a tool the workflow grants;
 *    requires — the tools it needs first have succeeded in this run;
 * 2. pinned — each pinned argument is bound to its value in the run; a proposal that sets it
 *    to anything else is refused, naming the argument;
 * 3. required — the tool's required arguments are present;
 * 4. max-amount — `amount` is a number within the tool's `maxAmount`;
 * 5. check — no check of the workflow fails (one that cannot be evaluated fails, closed);
 * then, when nothing stopped it, whether the same call already failed in this run, and the
 * first approval that applies (one that cannot be evaluated applies). Effect limits across
 * runs need the effect ledger: `effectClaims` gives what to count.
 */
export function checkProposal(
  workflow: WorkflowDefinition,
  proposal: DecisionRecord,
  state: RunState,
  options: GateOptions = {},
): GateVerdict {
  const refuse = (problem: GuardProblem): GateVerdict => ({
    decision: proposal,
    problems: [problem],
  });
  const name = proposal.tool;
  if (proposal.next !== 'act' || !name) {
    return refuse({ guard: 'grant', message: 'the proposal names no tool to run' });
  }
  const grant = workflow.tools.find((tool) => tool.name === name);
  if (!grant) {
    return refuse({
      guard: 'grant',
      subject: name,
      message: `tool "${name}" is not granted by ${workflow.id}@${workflow.version} (granted: ${workflow.tools.map((tool) => tool.name).join(', ')})`,
    });
  }

  const rules = ruleScope(state);
  const pins = bindPinned(grant, proposal.args ?? {}, rules);
  const decision: DecisionRecord = { ...proposal, args: pins.args };
  const problems = [
    ...missingPrerequisites(grant, rules),
    ...pins.problems,
    ...argumentProblems(grant, pins.args),
  ];
  const scope = proposalScope(rules, decision);
  for (const check of workflow.validation.checks) {
    if (check.tool && check.tool !== name) continue;
    const failed = allHold(check.failWhen, scope);
    if (failed === true)
      problems.push({ guard: 'check', subject: check.name, message: check.message });
    else if (failed !== false)
      problems.push({
        guard: 'check',
        subject: check.name,
        message: `${check.message} (check ${check.name} could not be evaluated, so it fails: ${failed.error})`,
      });
  }
  if (problems.length) return { decision, problems };

  const repeats = repeatedFailure(state, name, pins.args);
  if (repeats) return { decision, problems, repeats };
  if (options.approved) return { decision, problems };
  for (const [index, approval] of workflow.validation.approvals.entries()) {
    // An approval without a tool is about the case: it applies to every write.
    if (approval.tool ? approval.tool !== name : grant.access !== 'write') continue;
    const needed = allHold(approval.when, scope);
    if (needed === true)
      return { decision, problems, approval: { index, reason: approval.reason } };
    if (needed !== false)
      return {
        decision,
        problems,
        approval: {
          index,
          reason: `${approval.reason} (its condition could not be evaluated, so a person approves: ${needed.error})`,
        },
      };
  }
  return { decision, problems };
}

/** The problems as one line, for a run event, a task reason or an HTTP answer. */
export function describeProblems(problems: readonly GuardProblem[]): string {
  return problems.map((problem) => problem.message).join('; ');
}

interface Pinned {
  args: Record<string, unknown>;
  problems: GuardProblem[];
}

/**
 * Binds the tool's pinned arguments to their values in the run. Left out by the proposal:
 * filled in. Set to the same value: kept. Set to anything else: refused, naming the argument.
 */
export function bindPinned(
  grant: ToolGrantSpec,
  proposed: Record<string, unknown>,
  rules: Scope,
): Pinned {
  const args = { ...proposed };
  const problems: GuardProblem[] = [];
  for (const [arg, source] of Object.entries(grant.pinned ?? {})) {
    const bound = evaluate(source, rules);
    if (!bound.ok || isAbsent(bound.value)) {
      problems.push({
        guard: 'pinned',
        subject: arg,
        message: `argument ${arg} is pinned to ${source}, which has no value in this run${bound.ok ? '' : ` (${bound.error})`}`,
      });
      continue;
    }
    if (!isAbsent(args[arg]) && canonicalJson(args[arg]) !== canonicalJson(bound.value)) {
      problems.push({
        guard: 'pinned',
        subject: arg,
        message: `argument ${arg} is pinned to ${source} = ${shortJson(bound.value)}; the proposal set ${shortJson(args[arg])}`,
      });
      continue;
    }
    args[arg] = bound.value;
  }
  return { args, problems };
}

/** The tools `requires` names that have not succeeded (or been simulated) in this run. */
function missingPrerequisites(grant: ToolGrantSpec, rules: Scope): GuardProblem[] {
  const done = rules['done'] as Record<string, unknown>;
  return (grant.requires ?? [])
    .filter((tool) => !(tool in done))
    .map((tool) => ({
      guard: 'requires' as const,
      subject: tool,
      message: `${grant.name} runs only after ${tool} succeeded in this run, and it has not`,
    }));
}

function argumentProblems(grant: ToolGrantSpec, args: Record<string, unknown>): GuardProblem[] {
  const problems: GuardProblem[] = [];
  const missing = grant.requiredArgs.filter((arg) => isAbsent(args[arg]));
  if (missing.length)
    problems.push({
      guard: 'required',
      subject: missing.join(', '),
      message: `missing required argument(s) of ${grant.name}: ${missing.join(', ')}`,
    });
  if (grant.maxAmount !== undefined && !isAbsent(args['amount'])) {
    const amount = args['amount'];
    // No coercion: "500" is not a number, and a ceiling on text would be no ceiling.
    if (typeof amount !== 'number' || !Number.isFinite(amount)) {
      problems.push({
        guard: 'max-amount',
        subject: 'amount',
        message: `amount must be a number, got ${shortJson(amount)}`,
      });
    } else if (amount > grant.maxAmount) {
      problems.push({
        guard: 'max-amount',
        subject: 'amount',
        message: `amount ${amount} is above the maximum of ${grant.maxAmount} for ${grant.name}`,
      });
    }
  }
  return problems;
}

/** The last failed attempt of exactly this call (same tool, same arguments) in the run. */
function repeatedFailure(
  state: RunState,
  tool: string,
  args: Record<string, unknown>,
): RepeatedFailure | undefined {
  const text = canonicalJson(args);
  const record = state.history.findLast(
    (step) =>
      step.kind === 'action' &&
      step.name === tool &&
      step.outcome === 'failed' &&
      canonicalJson(step.output?.['args'] ?? {}) === text,
  );
  if (!record) return undefined;
  const result = record.output?.['result'] as { error?: unknown } | undefined;
  const error = typeof result?.error === 'string' ? result.error : 'it failed';
  return { tool, error, seq: record.seq };
}
