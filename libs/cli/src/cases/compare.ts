import type { WorkflowDefinition } from '@baton/workflow';
import type { Run, RunStep, TaskSummary } from '../api-types.js';
import type { RunScript } from './scripted-model.js';
import type { CaseExpectation, CaseStatus } from './workflow-case.js';

/** A write the run made (or, in shadow mode, recorded as the write it would have made). */
export interface ObservedWrite {
  tool: string;
  args: Record<string, unknown>;
  /** `succeeded` (live) or `simulated` (shadow). */
  outcome: string;
  seq: number;
}

/** A proposal of a granted tool that a guard refused, and why. */
export interface ObservedBlock {
  tool: string;
  reason: string;
  /** `validation` (the gate before the action) or `action` (the action service: effect limits, the gate again). */
  by: 'validation' | 'action';
  seq: number;
}

/** What a run did, in the terms a case expects it. */
export interface Observed {
  /** The run's status; `waiting` for waiting-for-review. */
  status: CaseStatus | 'running';
  escalated: boolean;
  /** The first review task's reason. */
  escalationReason?: string;
  /** The label of the last decision. */
  label?: string;
  reason?: string;
  writes: ObservedWrite[];
  /** Tools the decision proposed that the workflow does not grant (refused, never executed). */
  refused: string[];
  /** Proposals of granted tools that a guard refused, in run order. */
  blocked: ObservedBlock[];
  /** Ungranted tools an action step nevertheless executed: never allowed. */
  executedUngranted: string[];
}

/** One way the run differed from the case: the field, what the case expected, what happened. */
export interface Difference {
  field: string;
  expected: string;
  actual: string;
}

const EXECUTED = ['succeeded', 'simulated'];

/**
 * Reads a run (GET /v1/runs/:id) and its review tasks: the writes are the action steps of the
 * workflow's write tools that succeeded (live) or were simulated (shadow); the refused tools
 * are the proposals the decision step refused as ungranted (its output's `refusedProposal`);
 * the blocked ones are proposals of granted tools a guard refused — validation steps that
 * failed with `problems`, and action steps the action service `refused` (effect limits).
 */
export function observe(run: Run, tasks: TaskSummary[], workflow: WorkflowDefinition): Observed {
  const access = new Map(workflow.tools.map((tool) => [tool.name, tool.access]));
  const steps = uniqueSteps(run.steps);
  const writes: ObservedWrite[] = [];
  const executedUngranted: string[] = [];
  const refused: string[] = [];
  const blocked: ObservedBlock[] = [];
  for (const step of steps) {
    const output = step.output ?? {};
    if (step.kind === 'action' && EXECUTED.includes(step.outcome)) {
      const tool = typeof output['tool'] === 'string' ? output['tool'] : '';
      if (!access.has(tool)) executedUngranted.push(tool || '(none)');
      if (access.get(tool) === 'write') {
        writes.push({ tool, args: record(output['args']), outcome: step.outcome, seq: step.seq });
      }
    }
    if (step.kind === 'decision') {
      const proposal = record(output['refusedProposal']);
      if (typeof proposal['tool'] === 'string') refused.push(proposal['tool']);
    }
    // The action service's own gate (defence in depth) refuses ungranted tools too.
    if (step.kind === 'action' && output['refused'] === true) {
      const tool = typeof output['tool'] === 'string' ? output['tool'] : '';
      if (tool && !access.has(tool)) refused.push(tool);
      else {
        const error = record(output['result'])['error'];
        blocked.push({
          tool,
          reason: typeof error === 'string' ? error : '',
          by: 'action',
          seq: step.seq,
        });
      }
    }
    const problems = output['problems'];
    if (
      step.kind === 'validation' &&
      step.outcome === 'failed' &&
      Array.isArray(problems) &&
      problems.length
    ) {
      const input = record(step.input);
      const tool = typeof input['tool'] === 'string' ? input['tool'] : '';
      const guards = problems.map((problem) => record(problem)['guard']);
      if (tool && !access.has(tool) && guards.every((guard) => guard === 'grant')) {
        refused.push(tool);
      } else {
        const message = output['message'];
        blocked.push({
          tool,
          reason:
            typeof message === 'string'
              ? message
              : problems.map((problem) => String(record(problem)['message'] ?? '')).join('; '),
          by: 'validation',
          seq: step.seq,
        });
      }
    }
  }
  const decisions = steps
    .filter((step) => step.kind === 'decision')
    .map((step) => record(record(step.output)['decision']))
    .filter((decision) => typeof decision['label'] === 'string');
  const ordered = [...tasks].sort((a, b) => a.id.localeCompare(b.id));
  const label = decisions.at(-1)?.['label'];
  return {
    status: run.status === 'waiting-for-review' ? 'waiting' : (run.status as Observed['status']),
    escalated: ordered.length > 0 || steps.some((step) => step.kind === 'escalation'),
    ...(ordered[0]?.reason !== undefined ? { escalationReason: ordered[0].reason } : {}),
    ...(typeof label === 'string' ? { label } : {}),
    ...(run.reason ? { reason: run.reason } : {}),
    writes,
    refused: [...new Set(refused)],
    blocked,
    executedUngranted: [...new Set(executedUngranted)],
  };
}

/**
 * Every way the run differs from the case's `expect`, and from its model script (the run
 * must ask the model exactly as many times as scripted). Empty when the case passes.
 */
export function compare(
  expectation: CaseExpectation,
  observed: Observed,
  script?: Pick<RunScript, 'calls' | 'scripted' | 'extra' | 'unused'>,
): Difference[] {
  const differences: Difference[] = [];
  const differ = (field: string, expected: string, actual: string) =>
    differences.push({ field, expected, actual });

  if (observed.status !== expectation.status) {
    differ(
      'status',
      expectation.status,
      `${observed.status}${observed.reason ? ` (${observed.reason})` : ''}`,
    );
  }
  if (expectation.escalated !== undefined && observed.escalated !== expectation.escalated) {
    differ(
      'escalated',
      String(expectation.escalated),
      observed.escalated
        ? `true${observed.escalationReason ? ` (${observed.escalationReason})` : ''}`
        : 'false (no review task)',
    );
  }
  if (
    expectation.escalationReason !== undefined &&
    !contains(observed.escalationReason, expectation.escalationReason)
  ) {
    differ(
      'escalationReason',
      `contains ${JSON.stringify(expectation.escalationReason)}`,
      observed.escalationReason === undefined
        ? 'no review task'
        : JSON.stringify(observed.escalationReason),
    );
  }
  if (expectation.label !== undefined && observed.label !== expectation.label) {
    differ('label', expectation.label, observed.label ?? 'no decision with a label');
  }
  if (expectation.reason !== undefined && !contains(observed.reason, expectation.reason)) {
    differ(
      'reason',
      `contains ${JSON.stringify(expectation.reason)}`,
      observed.reason === undefined ? 'no reason' : JSON.stringify(observed.reason),
    );
  }
  if (expectation.writes !== undefined) {
    const problem = writesProblem(expectation.writes, observed.writes);
    if (problem) {
      differ(
        problem.field,
        problem.expected ?? showWrites(expectation.writes),
        problem.actual ?? showWrites(observed.writes),
      );
    }
  }
  if (expectation.refused !== undefined) {
    const expected = [...new Set(expectation.refused.map((r) => r.tool))].sort();
    const actual = [...observed.refused].sort();
    if (expected.join('\n') !== actual.join('\n')) {
      differ('refused', list(expected), list(actual));
    }
  }
  if (expectation.blocked !== undefined) {
    const problem = blockedProblem(expectation.blocked, observed.blocked);
    if (problem) {
      differ(
        problem.field,
        problem.expected ?? showBlocked(expectation.blocked),
        problem.actual ?? showBlocked(observed.blocked),
      );
    }
  }
  if (observed.executedUngranted.length) {
    differ(
      'executed',
      'only granted tools',
      `ungranted ${observed.executedUngranted.join(', ')} executed`,
    );
  }
  const model = script && scriptDifference(script);
  if (model) differences.push(model);
  return differences;
}

/** How a run's model calls differ from its script (more or fewer), or undefined when they match. */
export function scriptDifference(
  script: Pick<RunScript, 'calls' | 'scripted' | 'extra' | 'unused'>,
  field = 'model',
): Difference | undefined {
  if (script.extra === 0 && script.unused === 0) return undefined;
  const asked = script.calls.length;
  return {
    field,
    expected: `${script.scripted} call${script.scripted === 1 ? '' : 's'} (as scripted)`,
    actual:
      script.extra > 0
        ? `${asked} calls: ${script.extra} beyond the script got HTTP 500 "no scripted reply left"`
        : `${asked} call${asked === 1 ? '' : 's'}: ${script.unused} scripted repl${script.unused === 1 ? 'y' : 'ies'} never asked for`,
  };
}

/** The first way the writes differ: count, tool, or an argument, by index. */
function writesProblem(
  expected: NonNullable<CaseExpectation['writes']>,
  actual: ObservedWrite[],
): { field: string; expected?: string; actual?: string } | undefined {
  if (expected.length !== actual.length) return { field: 'writes' };
  for (const [i, write] of expected.entries()) {
    const made = actual[i]!;
    if (write.tool !== made.tool)
      return { field: `writes.${i}.tool`, expected: write.tool, actual: made.tool };
    for (const [key, value] of Object.entries(write.args ?? {})) {
      if (!matches(value, made.args[key])) {
        return {
          field: `writes.${i}.args.${key}`,
          expected: showExpected(value),
          actual: key in made.args ? JSON.stringify(made.args[key]) : 'absent',
        };
      }
    }
  }
  return undefined;
}

/** The first way the blocked proposals differ: count, tool, or reason, by index. */
function blockedProblem(
  expected: NonNullable<CaseExpectation['blocked']>,
  actual: ObservedBlock[],
): { field: string; expected?: string; actual?: string } | undefined {
  if (expected.length !== actual.length) return { field: 'blocked' };
  for (const [i, block] of expected.entries()) {
    const made = actual[i]!;
    if (block.tool !== made.tool)
      return { field: `blocked.${i}.tool`, expected: block.tool, actual: made.tool };
    if (block.reason !== undefined && !matches(block.reason, made.reason)) {
      return {
        field: `blocked.${i}.reason`,
        expected: showExpected(block.reason),
        actual: JSON.stringify(made.reason),
      };
    }
  }
  return undefined;
}

/**
 * A case value matches an actual one: equal; `~text` is a case-insensitive substring of a
 * string; a mapping matches an object holding at least its keys, each matching.
 */
export function matches(expected: unknown, actual: unknown): boolean {
  if (typeof expected === 'string' && expected.startsWith('~')) {
    return typeof actual === 'string' && contains(actual, expected.slice(1));
  }
  if (isRecord(expected)) {
    return (
      isRecord(actual) &&
      Object.entries(expected).every(([key, value]) => matches(value, actual[key]))
    );
  }
  if (Array.isArray(expected)) {
    return (
      Array.isArray(actual) &&
      actual.length === expected.length &&
      expected.every((value, i) => matches(value, actual[i]))
    );
  }
  return Object.is(expected, actual);
}

function contains(actual: string | undefined, part: string): boolean {
  return actual !== undefined && actual.toLowerCase().includes(part.toLowerCase());
}

export function showExpected(value: unknown): string {
  return typeof value === 'string' && value.startsWith('~')
    ? `contains ${JSON.stringify(value.slice(1))}`
    : JSON.stringify(value);
}

function showWrites(writes: Array<{ tool: string; args?: Record<string, unknown> }>): string {
  if (!writes.length) return 'no writes';
  return writes
    .map((write) => {
      const args = Object.entries(write.args ?? {}).map(
        ([key, value]) => `${key}: ${clip(showExpected(value))}`,
      );
      return args.length ? `${write.tool} { ${args.join(', ')} }` : write.tool;
    })
    .join('; ');
}

function showBlocked(blocked: Array<{ tool: string; reason?: string }>): string {
  if (!blocked.length) return 'no proposal blocked';
  return blocked
    .map((block) =>
      block.reason === undefined
        ? block.tool
        : `${block.tool} (${clip(showExpected(block.reason), 160)})`,
    )
    .join('; ');
}

function list(tools: string[]): string {
  return tools.length ? tools.join(', ') : 'none';
}

function clip(text: string, max = 60): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** A step recorded twice (a redelivered event) counts once. */
function uniqueSteps(steps: RunStep[]): RunStep[] {
  const seen = new Set<string>();
  return [...steps]
    .sort((a, b) => a.seq - b.seq)
    .filter((step) => {
      const key = `${step.seq}:${step.envelopeId ?? step.name}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
}

function record(value: unknown): Record<string, unknown> {
  return isRecord(value) ? value : {};
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
