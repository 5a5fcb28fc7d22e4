import { DecisionRecord, decodeAs, type DecisionPayload, type StepRecord } from '@baton/contracts';
import { DecisionError, DecisionErrorCode } from './decision-errors.js';

export const REVIEW_APPROVED = 'review-approved';
export const REVIEW_REJECTED = 'review-rejected';

export type ReviewVerdict =
  | { kind: 'approved'; reviewer: string; decision: DecisionRecord }
  | { kind: 'rejected'; reviewer: string; reason: string };

/**
 * Reads a reviewer's verdict from a decision envelope, or undefined when the envelope is not
 * a verdict (`payload.reason` is neither `review-approved` nor `review-rejected`).
 *
 * How the verdict is read (the escalation service writes it, docs/run-protocol.md row 6):
 * - the LAST record of `state.history` with `name: 'review'` and `kind: 'escalation'` is the
 *   verdict; its `output` is `{ reviewer, args?, tool?, note?, reason?, decision }`, where
 *   `reviewer` is the reviewer's name or `{ name, role }`;
 * - approved (`outcome` 'approved' or 'edited'): the action is `output.decision` (a
 *   DecisionRecord, validated here): the escalation service records there what its gate
 *   approved, the reviewer's edit with its pinned arguments bound. `output.args` (the edit as
 *   typed) stands in only when that decision has no args (records older than the gate);
 *   `output.tool` is its tool when present; `decidedBy: 'reviewer'`. A
 *   decision that names a tool is acted on (`next: 'act'`), even if it was an escalation: the
 *   reviewer approved running it. One that names no tool (an ambiguous case the reviewer
 *   closed without an action) completes the run;
 * - rejected: the run ends `rejected` with `output.reason` (else `output.note`) as the reason.
 * A verdict without such a record, or an approval without a valid decision, can never be
 * handled: a DecisionError (dead-lettered at once).
 */
export function readReviewVerdict(payload: DecisionPayload): ReviewVerdict | undefined {
  if (payload.reason !== REVIEW_APPROVED && payload.reason !== REVIEW_REJECTED) return undefined;
  const record = lastReview(payload.state.history);
  if (!record) {
    throw new DecisionError(
      DecisionErrorCode.ReviewRecordMissing,
      `"${payload.reason}" without a review record (name "review", kind "escalation") in state.history`,
    );
  }
  const output = record.output ?? {};
  const reviewer = reviewerName(output['reviewer']);
  if (payload.reason === REVIEW_REJECTED || record.outcome === 'rejected') {
    const reason = textOf(output['reason']) ?? textOf(output['note']);
    return { kind: 'rejected', reviewer, reason: reason ?? `rejected by ${reviewer}` };
  }
  const decoded = decodeAs(DecisionRecord, output['decision'] ?? null);
  if (!decoded.ok) {
    throw new DecisionError(
      DecisionErrorCode.ReviewRecordMissing,
      `the review record has no valid output.decision: ${decoded.errors.join('; ')}`,
    );
  }
  const decision: DecisionRecord = { ...decoded.value, decidedBy: 'reviewer' };
  if (typeof output['tool'] === 'string' && output['tool']) decision.tool = output['tool'];
  if (!decision.args && isPlainObject(output['args'])) decision.args = output['args'];
  if (decision.tool) decision.next = 'act';
  else if (decision.next === 'act' || decision.next === 'escalate') {
    decision.next = 'complete';
    decision.rationale = `approved by ${reviewer} with no action to run${noteOf(output)}`;
  }
  return { kind: 'approved', reviewer, decision };
}

function lastReview(history: StepRecord[]): StepRecord | undefined {
  return history.findLast((record) => record.name === 'review' && record.kind === 'escalation');
}

function reviewerName(value: unknown): string {
  if (typeof value === 'string' && value.trim()) return value.trim();
  const name = isPlainObject(value) ? textOf(value['name']) : undefined;
  return name ?? 'a reviewer';
}

function textOf(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() ? value.trim() : undefined;
}

function noteOf(output: Record<string, unknown>): string {
  const note = textOf(output['note']);
  return note ? `: ${note}` : '';
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
