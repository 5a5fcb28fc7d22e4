import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { aContextEnvelope } from '../examples/envelope.examples.js';
import { EffectRecord, decodeEffectRecord } from '../effects/effect-record.js';
import {
  StepEnvelopeDto,
  decodeStepEnvelope,
  nextStep,
  type StepEnvelope,
} from '../envelope/step-envelope.js';
import {
  DECISION_NEXT,
  EVIDENCE_KINDS,
  TOOL_RESULT_STATUS,
  type RunState,
} from '../envelope/step-payloads.js';
import { STEP_KINDS } from '../envelope/step-kind.js';
import { uuidv7 } from '../ids/uuid-v7.js';
import {
  RUN_EVENT_TYPES,
  RunEvent,
  TERMINAL_STATUSES,
  decodeRunEvent,
  stepFinished,
} from '../run/run-event.js';
import { validationSchemaOf } from '../schema/validation-schema.js';
import { TriggerEvent, decodeTriggerEvent } from '../trigger/trigger-event.js';
import {
  decodeAs,
  fastPathProblems,
  findShapeProblems,
  useFastPath,
  withoutFastPath,
  type Decoded,
} from './decode.js';
import { compileFastPath } from './fast-path.js';

const SEED = Number(process.env['BATON_PROPERTY_SEED'] ?? 20261205);
/** Mutants per example: 17 examples, so 17,000 in all (each decoded four ways). */
const MUTANTS_PER_EXAMPLE = Number(process.env['BATON_FAST_PATH_MUTANTS'] ?? 1_000);

type Plain = Record<string, unknown>;
type Class = abstract new (...args: never[]) => object;
const json = (value: unknown): Plain => JSON.parse(JSON.stringify(value)) as Plain;

/**
 * A small deterministic PRNG (mulberry32, as libs/testing's seededRandom, which this library
 * cannot import: testing depends on contracts): the same seed makes the same mutants.
 */
function seeded(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  return {
    next,
    int: (below: number) => Math.floor(next() * below),
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!,
    chance: (p: number) => next() < p,
  };
}
type Random = ReturnType<typeof seeded>;

// ---------------------------------------------------------------------------------------------
// Valid examples: every payload kind, every message class, optional fields present and absent.

const traceparent = `00-${'a1'.repeat(16)}-${'b2'.repeat(8)}-01`;

function aState(evidence = 3, history = 4): RunState {
  const trigger = aContextEnvelope().payload.trigger;
  return {
    trigger: { ...trigger, source: 'zendesk', data: { customerId: 'cus_1', nested: { a: [1] } } },
    evidence: [
      {
        source: 'billing-db',
        kind: 'record',
        ref: 'inv_1',
        content: { amount: 18 },
        score: 0.9,
        weak: false,
      },
      {
        source: 'kb',
        kind: 'passage',
        content: ['refunds within 30 days'],
        weak: true,
        note: 'one passage',
      },
      {
        source: 'crm',
        kind: 'history',
        content: null,
        weak: true,
        note: 'timed out',
        failed: true,
      },
    ].slice(0, evidence) as RunState['evidence'],
    weakEvidence: false,
    history: Array.from({ length: history }, (_, seq) => ({
      name: `step-${seq}`,
      kind: STEP_KINDS[seq % STEP_KINDS.length]!,
      seq,
      outcome: seq % 2 ? 'act' : 'passed',
      ...(seq % 2 ? { output: { seq, text: 'x'.repeat(40) } } : {}),
    })),
  };
}

const decision = {
  next: 'act',
  tool: 'refund',
  args: { invoiceId: 'inv_1', amount: 18 },
  label: 'refund-duplicate',
  confidence: 0.92,
  rationale: 'charged twice',
  decidedBy: 'model',
} as const;

function envelopes(): Array<[string, StepEnvelope]> {
  const context = aContextEnvelope();
  const withTrace = { ...aContextEnvelope(), traceparent } as StepEnvelope;
  const step = <K extends StepEnvelope['step']['kind']>(kind: K, payload: unknown) =>
    nextStep(context, { name: `a-${kind}`, kind }, payload as never);
  return [
    ['context envelope', context],
    ['context envelope with traceparent', withTrace],
    ['decision envelope', step('decision', { kind: 'decision', state: aState(), reason: 'again' })],
    ['decision envelope, empty state', step('decision', { kind: 'decision', state: aState(0, 0) })],
    ['action envelope', step('action', { kind: 'action', state: aState(), decision })],
    [
      'validation envelope with result',
      step('validation', {
        kind: 'validation',
        state: aState(),
        decision,
        result: { status: 'succeeded', output: { refundId: 're_1' }, idempotencyKey: 'k' },
        executed: { tool: 'refund', seq: 3 },
      }),
    ],
    [
      'validation envelope, a proposal',
      step('validation', {
        kind: 'validation',
        state: aState(2, 1),
        decision: { ...decision, next: 'complete' },
      }),
    ],
    [
      'escalation envelope',
      step('escalation', {
        kind: 'escalation',
        state: aState(),
        decision,
        reason: 'low confidence',
      }),
    ],
    [
      'escalation envelope, no decision',
      step('escalation', { kind: 'escalation', state: aState(1, 2), reason: 'r' }),
    ],
  ];
}

function runEvents(): Array<[string, Plain]> {
  const envelope = aContextEnvelope();
  const finished = stepFinished(envelope, {
    outcome: 'passed',
    startedAt: new Date(Date.now() - 5),
    input: { a: 1 },
    output: { b: [2] },
  });
  return [
    ['run.started', json({ ...finished, type: 'run.started', step: undefined })],
    ['step.finished', json({ ...finished, traceparent })],
    [
      'run.ended',
      json({
        ...finished,
        type: 'run.ended',
        step: undefined,
        status: 'completed',
        reason: 'done',
      }),
    ],
    [
      'run.waiting',
      json({ ...finished, type: 'run.waiting', step: undefined, reason: 'needs review' }),
    ],
  ];
}

const triggerEvents: Array<[string, Plain]> = [
  [
    'trigger event',
    {
      schemaVersion: 1,
      idempotencyKey: 'zendesk-ticket-48213',
      workflowId: 'billing-dispute',
      workflowVersion: 3,
      tenantId: 'acme',
      eventType: 'support.ticket.created',
      source: 'zendesk',
      occurredAt: '2026-11-25T09:30:00.000Z',
      data: { customerId: 'cus_1001', lines: [{ amount: 18 }] },
    },
  ],
  [
    'trigger event, minimal',
    {
      schemaVersion: 1,
      idempotencyKey: 'k',
      workflowId: 'w',
      tenantId: 't',
      eventType: 'e',
      data: {},
    },
  ],
];

function effectRecords(): Array<[string, Plain]> {
  const runId = uuidv7();
  const base = {
    schemaVersion: 1,
    callKey: `${runId}:3:refund`,
    runId,
    tenantId: 'acme',
    workflow: { id: 'billing-dispute', version: 2 },
    tool: 'refund',
    simulated: false,
    at: new Date().toISOString(),
  };
  return [
    [
      'effect record',
      {
        ...base,
        claims: [
          { limit: 'per-invoice', key: 'inv_1', amount: 18 },
          { limit: 'count', key: 'acme' },
        ],
      },
    ],
    ['effect record, no claims, simulated', { ...base, simulated: true, claims: [] }],
  ];
}

interface Example {
  name: string;
  cls: Class;
  decode: (plain: unknown) => Decoded<unknown>;
  value: Plain;
}

const examples: Example[] = [
  ...envelopes().map(([name, value]) => ({
    name,
    cls: StepEnvelopeDto,
    decode: decodeStepEnvelope,
    value: json(value),
  })),
  ...runEvents().map(([name, value]) => ({ name, cls: RunEvent, decode: decodeRunEvent, value })),
  ...triggerEvents.map(([name, value]) => ({
    name,
    cls: TriggerEvent,
    decode: decodeTriggerEvent,
    value,
  })),
  ...effectRecords().map(([name, value]) => ({
    name,
    cls: EffectRecord,
    decode: decodeEffectRecord,
    value,
  })),
];

// ---------------------------------------------------------------------------------------------
// Mutations: values that sit on every rule's edge, and the ways a producer gets a shape wrong.

const uuid = uuidv7();
const LONG = [1, 99, 100, 101, 199, 200, 201, 300, 301, 308, 309, 310, 1999, 2000, 2001, 5000];
const EDGE_VALUES: unknown[] = [
  null,
  true,
  false,
  0,
  -0,
  1,
  -1,
  2,
  0.5,
  1.0000001,
  -0.0000001,
  2 ** 31 - 1,
  2 ** 31,
  -(2 ** 31),
  2 ** 53 + 2,
  1e308,
  Infinity,
  -Infinity,
  NaN,
  '',
  ' ',
  'x',
  '1',
  'true',
  'null',
  ...LONG.map((n) => 'x'.repeat(n)),
  // isLength does not count U+FE0E/U+FE0F after a character; a surrogate pair counts once.
  '\uFE0F',
  'a\uFE0F',
  '\uFE0E\uFE0E',
  `${'a'.repeat(100)}\uFE0F`,
  `${'a'.repeat(101)}\uFE0F`,
  `${'a'.repeat(200)}\uFE0E`,
  '😀',
  '😀'.repeat(100),
  '😀'.repeat(101),
  '\ud83d',
  '\u0000',
  'a\ud800',
  // UUIDs: a v7, and almost ones.
  uuid,
  uuid.toUpperCase(),
  uuid.replace(/-/g, ''),
  `${uuid}\n`,
  ` ${uuid}`,
  '0190a6e4-0000-4000-8000-000000000000',
  '0190a6e4-0000-7000-c000-000000000000',
  // Dates: strict ISO 8601 and what is not.
  '2026-12-05T00:00:00.000Z',
  '2026-12-05',
  '2026-12',
  '2026',
  '2026-02-30T00:00:00Z',
  '2026-13-01T00:00:00Z',
  '2024-02-29T12:00:00Z',
  '2023-02-29T12:00:00Z',
  '2026-12-05T25:00:00Z',
  '2026-12-05T23:59:60Z',
  '2026-12-05T00:00:00',
  '2026-12-05 00:00:00Z',
  '2026-12-05t00:00:00z',
  '2026-12-05T00:00:00+01:00',
  '2026-12-05T00:00:00.123456789Z',
  '2026-12-05T00:00:00.000Z\n',
  '20261205T000000Z',
  '2026-W49-6',
  '2026-339',
  '2026-366',
  'not a date',
  // Trace context, workflow ids.
  traceparent,
  traceparent.toUpperCase(),
  traceparent.replace(/^00/, '01'),
  `${traceparent}\n`,
  'billing-dispute',
  'Billing-dispute',
  '-billing',
  '1billing',
  'billing_dispute',
  'a'.repeat(63),
  'a'.repeat(64),
  // Every enumerated value, and near misses.
  ...STEP_KINDS,
  ...EVIDENCE_KINDS,
  ...DECISION_NEXT,
  ...TOOL_RESULT_STATUS,
  ...RUN_EVENT_TYPES,
  ...TERMINAL_STATUSES,
  'rules',
  'model',
  'reviewer',
  'running',
  'Context',
  'context ',
  // Objects and arrays, some that class-transformer trips on.
  {},
  [],
  [{}],
  [[]],
  { a: 1 },
  { kind: 'context' },
  { constructor: 'x' },
  { nested: { constructor: { a: 1 } } },
  JSON.parse('{"__proto__": {"kind": "context"}}'),
  { toString: 1, valueOf: 'x', hasOwnProperty: null },
  // Deeper than decodeAs takes (64 levels).
  Array.from({ length: 70 }).reduce<unknown>((inner) => ({ a: inner }), 1),
  // And any JSON at all, binary text included.
  ...fc.sample(fc.jsonValue({ maxDepth: 3 }), { seed: SEED, numRuns: 100 }),
  ...fc.sample(fc.string({ maxLength: 12, unit: 'binary' }), { seed: SEED, numRuns: 50 }),
];
const EXTRA_KEYS = [
  'extra',
  'constructor',
  '__proto__',
  'toString',
  'valueOf',
  'hasOwnProperty',
  'kind',
  'type',
  'data',
  'payload',
  'prototype',
  'k'.repeat(257),
];

type Path = Array<string | number>;

/** Every path in `value` to an object member or array item, with the root as []. */
function paths(value: unknown, at: Path = [], out: Path[] = []): Path[] {
  out.push(at);
  if (Array.isArray(value)) value.forEach((item, i) => paths(item, [...at, i], out));
  else if (value && typeof value === 'object')
    for (const [key, child] of Object.entries(value)) paths(child, [...at, key], out);
  return out;
}

function getAt(value: unknown, path: Path): unknown {
  return path.reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], value);
}

/** Sets a member or item, keeping `__proto__` an ordinary own key as JSON.parse makes it. */
function define(container: unknown, key: string | number, child: unknown): void {
  Object.defineProperty(container, key, {
    value: child,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

/** A mutation of the node at `path`; says what it did. */
function mutate(root: Plain, random: Random, describe: string[]): void {
  const all = paths(root);
  const path = random.pick(all);
  const node = getAt(root, path);
  const parent = path.length ? getAt(root, path.slice(0, -1)) : undefined;
  const key = path[path.length - 1];
  const where = path.join('.') || '(root)';
  const replace = (value: unknown, what: string) => {
    if (parent === undefined) return;
    define(parent, key!, value);
    describe.push(`${where} = ${what}`);
  };
  const roll = random.int(12);
  if (roll === 0 && parent !== undefined) {
    if (Array.isArray(parent)) parent.splice(key as number, 1);
    else delete (parent as Plain)[key as string];
    describe.push(`delete ${where}`);
  } else if (roll <= 4) {
    const value = random.pick(EDGE_VALUES);
    replace(structuredClone(value), JSON.stringify(value)?.slice(0, 40) ?? String(value));
  } else if (roll === 5) {
    // A value from elsewhere in the message: a uuid as a date, a trigger as a payload…
    const other = getAt(root, random.pick(all));
    replace(structuredClone(other), `the value at another path`);
  } else if (roll === 6) {
    replace([structuredClone(node)], 'wrapped in an array');
  } else if (roll === 7) {
    if (Array.isArray(node)) replace({ ...node }, 'the array as an object');
    else replace([[structuredClone(node)]], 'wrapped in two arrays');
  } else if (roll === 8 && node && typeof node === 'object' && !Array.isArray(node)) {
    const extra = random.pick([...EXTRA_KEYS, ...Object.keys(node)]);
    const value = random.pick(EDGE_VALUES);
    define(node, extra, structuredClone(value));
    describe.push(`${where}.${extra} = ${JSON.stringify(value)?.slice(0, 40)}`);
  } else if (roll === 9 && typeof node === 'string') {
    const edits = [
      [`${node}x`, 'one more character'],
      [node.slice(1), 'one less character'],
      [node.toUpperCase(), 'upper case'],
      [` ${node}`, 'a leading space'],
      [`${node}\n`, 'a trailing newline'],
      [`${node}\uFE0F`, 'a variation selector'],
      [node.repeat(3), 'three times'],
    ] as const;
    const [value, what] = random.pick(edits);
    replace(value, what);
  } else if (roll === 10 && typeof node === 'number') {
    const edits = [node + 1, node - 1, node + 0.5, -node, node * 2 ** 31, String(node)];
    const value = random.pick(edits);
    replace(value, JSON.stringify(value));
  } else if (Array.isArray(node) && node.length > 0) {
    node.push(structuredClone(random.pick(node)));
    describe.push(`${where}: an item repeated`);
  } else {
    const value = random.pick(EDGE_VALUES);
    replace(structuredClone(value), JSON.stringify(value)?.slice(0, 40) ?? String(value));
  }
}

// ---------------------------------------------------------------------------------------------

describe('the fast path (compiled JSON Schema) of the message classes', () => {
  const classes = [StepEnvelopeDto, RunEvent, TriggerEvent, EffectRecord];
  useFastPath(...classes);

  it.each(classes.map((cls) => [cls.name, cls] as const))(
    '%s: every decorator has an exact or stricter schema, so it has a fast path',
    (_, cls) => {
      expect(fastPathProblems(cls)).toEqual([]);
    },
  );

  it.each(examples.map((example) => [example.name, example] as const))(
    'accepts the valid example %s, decoding it to what class-validator decodes it to',
    (_, example) => {
      expect(compileFastPath(example.cls).check!(example.value)).toBe(true);
      const decoded = example.decode(structuredClone(example.value));
      expect(decoded.ok, JSON.stringify(decoded)).toBe(true);
      const before = withoutFastPath(() => example.decode(structuredClone(example.value)));
      expect(decoded).toStrictEqual(before);
      expect(same(decoded, before)).toBe(true);
    },
  );

  it(`never accepts what class-validator refuses: ${MUTANTS_PER_EXAMPLE} mutants of each of ${examples.length} examples`, () => {
    const random = seeded(SEED);
    const checks = new Map(examples.map(({ cls }) => [cls, compileFastPath(cls).check!]));
    const tally = {
      mutants: 0,
      bothValid: 0,
      onlySlowValid: 0,
      bothInvalid: 0,
      shape: 0,
      transformer: 0,
    };
    const laxer: string[] = [];
    const changed: string[] = [];
    for (const example of examples) {
      for (let i = 0; i < MUTANTS_PER_EXAMPLE; i++) {
        const mutant = structuredClone(example.value);
        const what: string[] = [];
        const count = 1 + (random.chance(0.3) ? 1 + random.int(2) : 0);
        for (let m = 0; m < count; m++) mutate(mutant, random, what);
        tally.mutants += 1;

        const fastValid = checks.get(example.cls)!(structuredClone(mutant));
        const today = withoutFastPath(() =>
          decodeAs(example.cls as never, structuredClone(mutant)),
        );
        // Refused before validation (too deep, a key too long; class-transformer threw on a
        // `constructor` key): the same whichever path, and no verdict of class-validator's.
        if (findShapeProblems(mutant).length > 0) tally.shape += 1;
        else if (!today.ok && today.errors[0]?.startsWith('(root): could not be decoded'))
          tally.transformer += 1;
        else if (fastValid && today.ok) tally.bothValid += 1;
        else if (today.ok) tally.onlySlowValid += 1;
        else if (!fastValid) tally.bothInvalid += 1;
        else laxer.push(`${example.name}: ${what.join('; ')} → ${JSON.stringify(today)}`);

        // The decoder answers exactly as before: the same value (same classes), the same errors.
        const decoded = example.decode(structuredClone(mutant));
        const before = withoutFastPath(() => example.decode(structuredClone(mutant)));
        if (!same(decoded, before))
          changed.push(
            `${example.name}: ${what.join('; ')} → ${JSON.stringify([decoded, before])}`,
          );
      }
    }
    expect(changed.slice(0, 10)).toEqual([]);
    expect(laxer.slice(0, 10)).toEqual([]);
    // The mutants reach both sides: many stay valid (the fast path answers), many do not.
    expect(tally.bothValid).toBeGreaterThan(tally.mutants / 10);
    expect(tally.bothInvalid).toBeGreaterThan(tally.mutants / 3);
    console.info(`fast path differential (seed ${SEED}): ${JSON.stringify(tally)}`);
  }, 120_000);

  it('keeps class-validator errors for what it refuses', () => {
    const envelope = json(aContextEnvelope());
    envelope['createdAt'] = '2026-02-30T00:00:00Z';
    (envelope['step'] as Plain)['seq'] = -1;
    expect(decodeStepEnvelope(envelope)).toEqual({
      ok: false,
      errors: [
        'step.seq: seq must not be less than 0',
        'createdAt: createdAt must be a valid ISO 8601 date string',
      ],
    });
  });

  it('checks lengths and dates with class-validator’s own functions', () => {
    const check = compileFastPath(TriggerEvent).check!;
    const trigger = triggerEvents[1]![1];
    // isLength counts "a\uFE0F" as 1 character and a lone U+FE0F as 1 too; ajv's minLength differs.
    expect(check({ ...trigger, tenantId: `${'t'.repeat(100)}\uFE0F` })).toBe(true);
    expect(check({ ...trigger, tenantId: `${'t'.repeat(101)}` })).toBe(false);
    expect(check({ ...trigger, occurredAt: '2026-02-29T00:00:00Z' })).toBe(false);
    expect(check({ ...trigger, occurredAt: '2026-12-05' })).toBe(true);
    expect(check({ ...trigger, source: null })).toBe(true);
    expect(validationSchemaOf(TriggerEvent).problems).toEqual([]);
  });
});

/**
 * Deep equality as strict as it gets: same prototypes (so the same classes), the same own keys
 * in the same order, the same primitives (Object.is: -0 and NaN too). Unlike toStrictEqual it
 * does not read a `constructor` key in JSON data as the object's class.
 */
function same(a: unknown, b: unknown): boolean {
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null)
    return Object.is(a, b);
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const keys = Reflect.ownKeys(a);
  const otherKeys = Reflect.ownKeys(b);
  if (keys.length !== otherKeys.length || keys.some((key, i) => key !== otherKeys[i])) return false;
  return keys.every((key) =>
    same((a as Record<PropertyKey, unknown>)[key], (b as Record<PropertyKey, unknown>)[key]),
  );
}
