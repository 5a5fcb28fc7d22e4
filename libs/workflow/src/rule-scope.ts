import type { DecisionRecord, RunState, StepRecord } from '@baton/contracts';
import type { Scope } from './expression.js';

/** What a finished action left for later rules: `done.<tool>.args`, `done.<tool>.result`. */
export interface DoneAction {
  args: unknown;
  result: unknown;
}

// Only these count as "done": a failed action did not happen, a simulated one did in shadow mode.
const DONE_STATUSES = new Set(['succeeded', 'simulated']);

/**
 * Evidence by source name. One item from a source gives its content; several items from one
 * source (knowledge passages) give the list of their contents, in order.
 */
export function evidenceBySource(state: RunState): Record<string, unknown> {
  const grouped = new Map<string, unknown[]>();
  for (const item of state.evidence) {
    grouped.set(item.source, [...(grouped.get(item.source) ?? []), item.content]);
  }
  return Object.fromEntries(
    [...grouped].map(([source, contents]) => [
      source,
      contents.length === 1 ? contents[0] : contents,
    ]),
  );
}

/** What a failed action left: `failed.<tool>.args`, `failed.<tool>.error`. */
export interface FailedAction {
  args: unknown;
  error: unknown;
}

/** The last failed (or refused) action per tool, from the run's history. */
export function failedActions(history: StepRecord[]): Record<string, FailedAction> {
  const failed: Record<string, FailedAction> = {};
  for (const record of history) {
    if (record.kind !== 'action' || DONE_STATUSES.has(record.outcome)) continue;
    const result = record.output?.['result'] as { error?: unknown } | undefined;
    failed[record.name] = { args: record.output?.['args'], error: result?.error ?? null };
  }
  return failed;
}

/** The last succeeded (or simulated) action per tool, from the run's history. */
export function doneActions(history: StepRecord[]): Record<string, DoneAction> {
  const done: Record<string, DoneAction> = {};
  for (const record of history) {
    if (record.kind !== 'action' || !DONE_STATUSES.has(record.outcome)) continue;
    done[record.name] = { args: record.output?.['args'], result: record.output?.['result'] };
  }
  return done;
}

/**
 * The scope rules, templates and pinned arguments see (docs/run-protocol.md, "Rule scope").
 * Checks, approvals and effect limits of a proposal see `proposalScope`.
 */
export function ruleScope(state: RunState): Scope {
  return {
    trigger: state.trigger,
    evidence: evidenceBySource(state),
    weakEvidence: state.weakEvidence,
    done: doneActions(state.history),
    failed: failedActions(state.history),
    history: state.history,
  };
}

/** The rule scope plus the proposal: its `args` and the `decision` (label, confidence, who). */
export function proposalScope(rules: Scope, decision: DecisionRecord): Scope {
  return { ...rules, args: decision.args ?? {}, decision };
}
