import {
  canonicalJson,
  nextStep,
  type DecisionRecord,
  type StepEnvelope,
  type StepRecord,
} from '@baton/contracts';
import { EscalationError, EscalationErrorCode } from './escalation-error.js';
import type { ReviewOutcome, ReviewRecord, Reviewer } from './task.js';

/** What a reviewer sends to approve: the proposal as it is, or with edited args (or a new action). */
export interface Approval {
  tool?: string;
  args?: Record<string, unknown>;
  note?: string;
}

export interface ApprovedDecision {
  outcome: Extract<ReviewOutcome, 'approved' | 'edited'>;
  decision: DecisionRecord;
}

/**
 * The action an approval sends on. With a proposed tool: the proposal, its args replaced by
 * the reviewer's when given; different args make it `edited` (a correction). Without one (an
 * ambiguous case, an invalid model output): the reviewer names the tool and its args.
 */
export function approvedDecision(
  proposal: DecisionRecord | null,
  approval: Approval,
  reviewer: Reviewer,
): ApprovedDecision {
  if (proposal?.tool) {
    if (approval.tool !== undefined && approval.tool !== proposal.tool) {
      throw new EscalationError(
        EscalationErrorCode.ToolMismatch,
        `tool: the proposal runs "${proposal.tool}"; a reviewer may edit its args, not replace the tool (reject it instead)`,
      );
    }
    const proposed = proposal.args ?? {};
    const args = approval.args ?? proposed;
    return {
      outcome: sameJson(args, proposed) ? 'approved' : 'edited',
      decision: { ...proposal, next: 'act', args, decidedBy: 'reviewer' },
    };
  }
  if (!approval.tool || !approval.args) {
    throw new EscalationError(
      EscalationErrorCode.ToolRequired,
      'tool, args: this task has no proposed action; approving it means naming the tool to run and its args',
    );
  }
  return {
    outcome: 'edited',
    decision: {
      next: 'act',
      tool: approval.tool,
      args: approval.args,
      label: proposal?.label ?? 'reviewer-action',
      confidence: 1,
      rationale: approval.note ?? `Action chosen by reviewer ${reviewer.name}.`,
      decidedBy: 'reviewer',
    },
  };
}

/** The proposal, marked as decided by the reviewer, that a rejection records. */
export function rejectedDecision(proposal: DecisionRecord | null): DecisionRecord | undefined {
  return proposal ? { ...proposal, decidedBy: 'reviewer' } : undefined;
}

/** The `review` record appended to the run's history. */
export function reviewHistoryRecord(
  escalation: StepEnvelope<'escalation'>,
  outcome: ReviewOutcome,
  review: ReviewRecord,
): StepRecord {
  return { name: 'review', kind: 'escalation', seq: escalation.step.seq, outcome, output: review };
}

/**
 * The `decision` envelope that resumes the run after a review. Time spent waiting for the
 * reviewer does not count against the run: the run gets back the time it had left when it
 * escalated (its deadline bounds the automated work, while the SLA bounds the review).
 */
export function resumeEnvelope(
  escalation: StepEnvelope<'escalation'>,
  record: StepRecord,
  now: Date,
): StepEnvelope<'decision'> {
  const state = escalation.payload.state;
  const leftMs = Math.max(0, Date.parse(escalation.deadline) - Date.parse(escalation.createdAt));
  const resumed = nextStep(
    escalation,
    { name: 'review', kind: 'decision' },
    {
      kind: 'decision',
      state: { ...state, history: [...state.history, record] },
      reason: record.outcome === 'rejected' ? 'review-rejected' : 'review-approved',
    },
    {},
    now,
  );
  return { ...resumed, deadline: new Date(now.getTime() + leftMs).toISOString() };
}

/** Equality of JSON values, independent of key order. */
export function sameJson(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}
