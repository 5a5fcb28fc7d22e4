import type { WorkflowDefinition, WorkflowProblem } from '@baton/workflow';
import { crossCheck } from './cross-check-case.js';
import {
  CASE_STATUSES,
  DUPLICATE_ANSWERS,
  MAX_EARLIER,
  MAX_REPEAT,
  type CaseExpectation,
  type CaseTrigger,
  type EarlierRun,
  type ExpectedBlock,
  type ExpectedWrite,
  type ModelStep,
  type ReviewStep,
  type WorkflowCase,
} from './workflow-case.js';

export type ReadCase =
  { ok: true; workflowCase: WorkflowCase } | { ok: false; problems: WorkflowProblem[] };

type Fields = Record<string, unknown>;

/** A case file name: kebab-case, `.yaml`. */
export const CASE_NAME = /^[a-z0-9][a-z0-9-]{0,99}$/;
const TAG = /^[a-z][a-z0-9-]{0,39}$/;

const FIELDS = {
  root: ['formatVersion', 'description', 'tags', 'earlier', 'trigger', 'model', 'review', 'expect'],
  earlier: ['eventType', 'source', 'data', 'model'],
  trigger: ['eventType', 'source', 'data', 'repeat', 'dataFile'],
  review: ['approve', 'reject', 'refused'],
  approve: ['args', 'tool', 'note'],
  reject: ['reason'],
  expect: [
    'status',
    'escalated',
    'escalationReason',
    'label',
    'reason',
    'writes',
    'refused',
    'blocked',
    'duplicate',
  ],
  write: ['tool', 'args'],
  refused: ['tool'],
  blocked: ['tool', 'reason'],
};

/**
 * Checks a parsed case file against the case format (docs/cases.md) and, when the workflow's
 * definition is given, against it: the event types are ones the workflow accepts, expected
 * writes name its write tools, refused tools are ones it does not grant, blocked ones are
 * granted. Every problem is reported at once, each with its dotted path in the file
 * (`expect.writes.0.tool`).
 */
export function readCase(
  value: unknown,
  { name, file }: { name: string; file: string },
  workflow?: WorkflowDefinition,
): ReadCase {
  const problems: WorkflowProblem[] = [];
  const problem = (path: string, message: string) => problems.push({ path, message });
  const root = mapping(value, '(root)', FIELDS.root, problem);
  if (!root) return { ok: false, problems };

  if (root['formatVersion'] === undefined) problem('formatVersion', 'is required (1)');
  else if (root['formatVersion'] !== 1) problem('formatVersion', 'must be 1');
  const description = text(root['description'], 'description', problem, {
    required: true,
    max: 300,
  });
  if (description?.includes('\n'))
    problem('description', 'must be one line (the case in a sentence)');
  const tags = list(root['tags'], 'tags', problem) ?? [];
  tags.forEach((tag, i) => {
    if (typeof tag !== 'string' || !TAG.test(tag))
      problem(`tags.${i}`, 'must be a kebab-case word (incomplete, angry, injection, …)');
  });

  const earlier = readEarlier(root['earlier'], problem);
  const trigger = readTrigger(root['trigger'], problem);
  const model = readModel(root['model'], 'model', problem);
  const review = readReview(root['review'], problem);
  const expectation = readExpect(root['expect'], problem);
  if (expectation && review.length && expectation.escalated === false) {
    problem(
      'review',
      'the case expects no escalation (expect.escalated: false), so there is no task to review',
    );
  }
  if (expectation?.refused?.length && expectation.escalated === false) {
    problem(
      'expect.escalated',
      'a refused tool escalates the run: expect.escalated cannot be false with expect.refused',
    );
  }
  if (expectation?.duplicate) {
    // The event joins (or is refused for) an earlier run: no run of its own asks or waits.
    const as = `expect.duplicate: ${expectation.duplicate}`;
    if (!earlier.length)
      problem('expect.duplicate', 'needs an earlier run for the event to be a duplicate of');
    if (model.length) problem('model', `${as} starts no run of its own, so nothing asks the model`);
    if (review.length)
      problem('review', `${as} starts no run of its own, so there is no task to review`);
  }
  if (workflow) crossCheck(workflow, { earlier, trigger, model, review, expectation }, problem);
  if (problems.length || !trigger || !expectation || !description) return { ok: false, problems };
  return {
    ok: true,
    workflowCase: {
      name,
      file,
      formatVersion: 1,
      description,
      tags: tags as string[],
      earlier,
      trigger,
      model,
      review,
      expect: expectation,
    },
  };
}

type Problem = (path: string, message: string) => void;

/** What a trigger and an earlier run both have: the event type, its source and its data. */
function readEvent(
  fields: Fields,
  path: string,
  problem: Problem,
): { eventType: string; source?: string; data: Fields } | undefined {
  const eventType = text(fields['eventType'], `${path}.eventType`, problem, {
    required: true,
    max: 200,
  });
  const source = text(fields['source'], `${path}.source`, problem, { max: 200 });
  let data: Fields | undefined;
  if (fields['data'] === undefined) problem(`${path}.data`, 'is required (the event data)');
  else data = mapping(fields['data'], `${path}.data`, undefined, problem);
  if (!eventType || !data) return undefined;
  return { eventType, ...(source !== undefined ? { source } : {}), data };
}

function readEarlier(value: unknown, problem: Problem): EarlierRun[] {
  const items = list(value, 'earlier', problem) ?? [];
  if (items.length > MAX_EARLIER) {
    problem('earlier', `at most ${MAX_EARLIER} earlier runs`);
    return [];
  }
  const runs: EarlierRun[] = [];
  items.forEach((item, i) => {
    const path = `earlier.${i}`;
    const fields = mapping(item, path, FIELDS.earlier, problem);
    if (!fields) return;
    const event = readEvent(fields, path, problem);
    const model = readModel(fields['model'], `${path}.model`, problem);
    if (event) runs.push({ ...event, model });
  });
  return runs;
}

function readTrigger(value: unknown, problem: Problem): CaseTrigger | undefined {
  if (value === undefined) {
    problem('trigger', 'is required (eventType and data)');
    return undefined;
  }
  const fields = mapping(value, 'trigger', FIELDS.trigger, problem);
  if (!fields) return undefined;
  if (fields['dataFile'] !== undefined) {
    problem(
      'trigger.dataFile',
      'is not supported: keep the data inline (a YAML block scalar `|` holds long text)',
    );
  }
  const event = readEvent(fields, 'trigger', problem);
  let repeat = 1;
  if (fields['repeat'] !== undefined) {
    const n = fields['repeat'];
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > MAX_REPEAT)
      problem('trigger.repeat', `must be a whole number from 1 to ${MAX_REPEAT}`);
    else repeat = n;
  }
  if (!event) return undefined;
  return { ...event, repeat };
}

function readModel(value: unknown, base: string, problem: Problem): ModelStep[] {
  const items = list(value, base, problem) ?? [];
  const steps: ModelStep[] = [];
  items.forEach((item, i) => {
    const path = `${base}.${i}`;
    const fields = mapping(item, path, ['reply', 'text', 'status'], problem);
    if (!fields) return;
    const given = Object.keys(fields);
    if (given.length !== 1) {
      problem(path, 'must hold exactly one of reply (a decision), text (raw content), status');
      return;
    }
    if ('reply' in fields) {
      const reply = mapping(fields['reply'], `${path}.reply`, undefined, problem);
      if (reply) steps.push({ reply });
    } else if ('text' in fields) {
      if (typeof fields['text'] !== 'string') problem(`${path}.text`, 'must be text');
      else steps.push({ text: fields['text'] });
    } else {
      const status = fields['status'];
      if (typeof status !== 'number' || !Number.isInteger(status) || status < 400 || status > 599)
        problem(`${path}.status`, 'must be an HTTP error status from 400 to 599');
      else steps.push({ status });
    }
  });
  return steps;
}

function readReview(value: unknown, problem: Problem): ReviewStep[] {
  const items = list(value, 'review', problem) ?? [];
  const steps: ReviewStep[] = [];
  items.forEach((item, i) => {
    const path = `review.${i}`;
    const fields = mapping(item, path, FIELDS.review, problem);
    if (!fields) return;
    if ('approve' in fields === 'reject' in fields) {
      problem(path, 'must hold exactly one of approve or reject');
      return;
    }
    if ('refused' in fields && 'reject' in fields) {
      problem(
        `${path}.refused`,
        'only an approval can be refused (the approved action passes the guards); a rejection is always recorded',
      );
      return;
    }
    const refused =
      'refused' in fields
        ? text(fields['refused'], `${path}.refused`, problem, { required: true, max: 2000 })
        : undefined;
    if ('approve' in fields) {
      // `- approve:` with nothing after it is YAML null: approve as proposed.
      const approve =
        fields['approve'] === null
          ? {}
          : mapping(fields['approve'], `${path}.approve`, FIELDS.approve, problem);
      if (!approve) return;
      const args =
        approve['args'] === undefined
          ? undefined
          : mapping(approve['args'], `${path}.approve.args`, undefined, problem);
      const tool = text(approve['tool'], `${path}.approve.tool`, problem, { max: 100 });
      const note = text(approve['note'], `${path}.approve.note`, problem, { max: 2000 });
      steps.push({
        approve: {
          ...(args ? { args } : {}),
          ...(tool !== undefined ? { tool } : {}),
          ...(note !== undefined ? { note } : {}),
        },
        ...(refused !== undefined ? { refused } : {}),
      });
    } else {
      const reject = mapping(fields['reject'], `${path}.reject`, FIELDS.reject, problem);
      if (!reject) return;
      const reason = text(reject['reason'], `${path}.reject.reason`, problem, {
        required: true,
        max: 2000,
      });
      if (reason) steps.push({ reject: { reason } });
    }
  });
  return steps;
}

function readExpect(value: unknown, problem: Problem): CaseExpectation | undefined {
  if (value === undefined) {
    problem('expect', 'is required (at least status)');
    return undefined;
  }
  const fields = mapping(value, 'expect', FIELDS.expect, problem);
  if (!fields) return undefined;
  const status = fields['status'];
  if (status === undefined) problem('expect.status', `is required (${CASE_STATUSES.join(', ')})`);
  else if (!(CASE_STATUSES as readonly unknown[]).includes(status))
    problem('expect.status', `must be one of ${CASE_STATUSES.join(', ')}`);
  const expectation: Partial<CaseExpectation> = { status: status as CaseExpectation['status'] };
  if (fields['escalated'] !== undefined) {
    if (typeof fields['escalated'] !== 'boolean')
      problem('expect.escalated', 'must be true or false');
    else expectation.escalated = fields['escalated'];
  }
  for (const key of ['escalationReason', 'label', 'reason'] as const) {
    const given = text(fields[key], `expect.${key}`, problem, { max: 2000 });
    if (given !== undefined) expectation[key] = given;
  }
  if (fields['writes'] !== undefined) {
    const writes: ExpectedWrite[] = [];
    (list(fields['writes'], 'expect.writes', problem) ?? []).forEach((item, i) => {
      const path = `expect.writes.${i}`;
      const write = mapping(item, path, FIELDS.write, problem);
      if (!write) return;
      const tool = text(write['tool'], `${path}.tool`, problem, { required: true, max: 100 });
      const args =
        write['args'] === undefined
          ? undefined
          : mapping(write['args'], `${path}.args`, undefined, problem);
      if (tool) writes.push({ tool, ...(args ? { args } : {}) });
    });
    expectation.writes = writes;
  }
  if (fields['refused'] !== undefined) {
    const refused: Array<{ tool: string }> = [];
    (list(fields['refused'], 'expect.refused', problem) ?? []).forEach((item, i) => {
      const path = `expect.refused.${i}`;
      const entry = mapping(item, path, FIELDS.refused, problem);
      const tool = entry
        ? text(entry['tool'], `${path}.tool`, problem, { required: true, max: 100 })
        : undefined;
      if (tool) refused.push({ tool });
    });
    expectation.refused = refused;
  }
  if (fields['blocked'] !== undefined) {
    const blocked: ExpectedBlock[] = [];
    (list(fields['blocked'], 'expect.blocked', problem) ?? []).forEach((item, i) => {
      const path = `expect.blocked.${i}`;
      const entry = mapping(item, path, FIELDS.blocked, problem);
      if (!entry) return;
      const tool = text(entry['tool'], `${path}.tool`, problem, { required: true, max: 100 });
      const reason = text(entry['reason'], `${path}.reason`, problem, { max: 2000 });
      if (tool) blocked.push({ tool, ...(reason !== undefined ? { reason } : {}) });
    });
    expectation.blocked = blocked;
  }
  if (fields['duplicate'] !== undefined) {
    const duplicate = fields['duplicate'];
    if (!(DUPLICATE_ANSWERS as readonly unknown[]).includes(duplicate))
      problem('expect.duplicate', `must be one of ${DUPLICATE_ANSWERS.join(', ')}`);
    else expectation.duplicate = duplicate as CaseExpectation['duplicate'];
  }
  return CASE_STATUSES.includes(status as CaseExpectation['status'])
    ? (expectation as CaseExpectation)
    : undefined;
}

/** A mapping; with `known`, fields outside it are problems naming the known ones. */
function mapping(
  value: unknown,
  path: string,
  known: string[] | undefined,
  problem: Problem,
): Fields | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    problem(path, `expected a mapping, got ${kindOf(value)}`);
    return undefined;
  }
  const fields = value as Fields;
  if (known) {
    const prefix = path === '(root)' ? '' : `${path}.`;
    for (const key of Object.keys(fields)) {
      if (!known.includes(key))
        problem(`${prefix}${key}`, `unknown field (expected one of: ${known.join(', ')})`);
    }
  }
  return fields;
}

function list(value: unknown, path: string, problem: Problem): unknown[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) {
    problem(path, `expected a list, got ${kindOf(value)}`);
    return undefined;
  }
  return value;
}

function text(
  value: unknown,
  path: string,
  problem: Problem,
  { required = false, max }: { required?: boolean; max: number },
): string | undefined {
  if (value === undefined) {
    if (required) problem(path, 'is required');
    return undefined;
  }
  if (typeof value !== 'string' || !value.trim()) {
    problem(path, `expected text, got ${typeof value === 'string' ? 'blank text' : kindOf(value)}`);
    return undefined;
  }
  if (value.length > max) {
    problem(path, `must be at most ${max} characters`);
    return undefined;
  }
  return value;
}

function kindOf(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'string' ? 'text' : typeof value;
}
