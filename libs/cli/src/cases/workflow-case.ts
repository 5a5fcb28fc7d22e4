// A workflow case (docs/cases.md): one file `workflows/<id>/cases/<name>.yaml` holding a
// trigger event, the model's scripted answers, what a reviewer does, and the expected outcome.
// The shapes here, the checks in read-case.ts and the JSON Schema in case-schema.ts say the
// same thing three ways; a unit test keeps them in step.

/** The outcome a case expects: the run's status, `waiting` for an open review task. */
export const CASE_STATUSES = ['completed', 'rejected', 'failed', 'cancelled', 'waiting'] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];

/** The ugly kinds of input the case tags name (any kebab-case tag is allowed). */
export const COMMON_TAGS = [
  'incomplete',
  'conflicting',
  'angry',
  'wrong-language',
  'huge-input',
  'injection',
  'ambiguous',
  'duplicate',
] as const;

/**
 * How the trigger answers an event that the workflow's `trigger.dedup` finds to be the same
 * business event as an earlier run of the case: `joined` (HTTP 200, `joined: true`, the earlier
 * run's id) or `refused` (HTTP 409 `duplicate-event` naming it).
 */
export const DUPLICATE_ANSWERS = ['joined', 'refused'] as const;
export type DuplicateAnswer = (typeof DUPLICATE_ANSWERS)[number];

/** How many times one case may send its event (`trigger.repeat`). */
export const MAX_REPEAT = 10;

/** How many runs one case may make before its own (`earlier`). */
export const MAX_EARLIER = 10;

export interface CaseTrigger {
  eventType: string;
  source?: string;
  data: Record<string, unknown>;
  /** The same event (same idempotency key) is sent this many times; default 1. */
  repeat: number;
}

/** One scripted model answer, in call order. */
export type ModelStep =
  /** A decision object, sent as the JSON message content. */
  | { reply: Record<string, unknown> }
  /** Raw message content, as is (invalid JSON, prose). */
  | { text: string }
  /** An HTTP error from the model endpoint. */
  | { status: number };

/**
 * A run made before the case's own, in the case's tenant (`earlier`): what it writes counts
 * toward the workflow's effect limits, so a case can say "this invoice was credited before".
 */
export interface EarlierRun {
  eventType: string;
  source?: string;
  data: Record<string, unknown>;
  /** The model's answers for this run, in call order. */
  model: ModelStep[];
}

/** What the reviewer does with the run's next open task. */
export type ReviewStep =
  | {
      approve: {
        /** Merged over the proposal's args: the edited arguments. */
        args?: Record<string, unknown>;
        /** Only for a task without a proposed action: the granted tool to run. */
        tool?: string;
        note?: string;
      };
      /**
       * The approval must be refused (HTTP 422) with a problem matching this (`~text`: a
       * substring, any case); the task stays open and the next entry applies to it.
       */
      refused?: string;
    }
  | { reject: { reason: string } };

export interface ExpectedWrite {
  tool: string;
  /** A subset: listed keys must be equal; `~text` matches a string case-insensitively as a substring. */
  args?: Record<string, unknown>;
}

/** A proposal a guard refused: its tool and why (`~text` matches a substring, any case). */
export interface ExpectedBlock {
  tool: string;
  reason?: string;
}

export interface CaseExpectation {
  status: CaseStatus;
  escalated?: boolean;
  escalationReason?: string;
  label?: string;
  reason?: string;
  writes?: ExpectedWrite[];
  refused?: Array<{ tool: string }>;
  /** Proposals of granted tools that a guard refused (validation or the action service), in order. */
  blocked?: ExpectedBlock[];
  /**
   * The event starts no run of its own: it is the same business event as an earlier run of the
   * case (`trigger.dedup`), joined to it or refused. The rest of `expect` describes that run.
   */
  duplicate?: DuplicateAnswer;
}

export interface WorkflowCase {
  /** The file name without `.yaml`. */
  name: string;
  /** The file, relative to the working directory. */
  file: string;
  formatVersion: 1;
  description: string;
  tags: string[];
  /** Runs made first, in order, in the case's tenant. */
  earlier: EarlierRun[];
  trigger: CaseTrigger;
  model: ModelStep[];
  review: ReviewStep[];
  expect: CaseExpectation;
}
