import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { aContextEnvelope } from '../examples/envelope.examples.js';
import {
  CAUSATION_ID_MAX,
  IDEMPOTENCY_KEY_MAX,
  TENANT_ID_MAX,
  decodeStepEnvelope,
  firstStep,
} from '../envelope/step-envelope.js';
import { decodeEffectRecord } from '../effects/effect-record.js';
import { decodeRunEvent } from '../run/run-event.js';
import { decodeTriggerEvent, TRIGGER_DATA_DEPTH } from '../trigger/trigger-event.js';
import { decodeWorkflowRecord } from '../registry/workflow-record.js';
import { INT32_MAX, JSON_LIMITS, findShapeProblems } from './decode.js';

const SEED = Number(process.env['BATON_PROPERTY_SEED'] ?? 20261204);

/** `levels` objects nested in one another, `{ a: { a: … 1 } }`, built without recursion. */
function nested(levels: number): Record<string, unknown> {
  let value: Record<string, unknown> = { leaf: 1 };
  for (let i = 1; i < levels; i++) value = { a: value };
  return value;
}

const anEnvelope = () => JSON.parse(JSON.stringify(aContextEnvelope())) as Record<string, unknown>;

const aTrigger = (data: unknown) => ({
  schemaVersion: 1,
  idempotencyKey: 'k-1',
  workflowId: 'billing-dispute',
  tenantId: 'acme',
  eventType: 'support.ticket.created',
  data,
});

const errorsOf = (decoded: { ok: boolean; errors?: string[] }): string[] =>
  decoded.ok ? [] : (decoded.errors ?? []);

describe('decoding keeps any key name as data', () => {
  it('keeps `constructor`, `__proto__` and `prototype` keys in trigger data exactly as sent', () => {
    const text = JSON.stringify(
      aTrigger({
        constructor: 'x',
        nested: { constructor: { a: 1 }, prototype: [1, { constructor: null }] },
      }),
    ).replace('"nested"', '"__proto__"');
    const plain = JSON.parse(text) as { data: Record<string, unknown> };
    const decoded = decodeTriggerEvent(plain);
    expect(errorsOf(decoded)).toEqual([]);
    if (!decoded.ok) return;
    expect(JSON.stringify(decoded.value.data)).toBe(JSON.stringify(plain.data));
    expect(Object.getPrototypeOf(decoded.value.data)).toBe(Object.prototype);
    expect(Object.hasOwn(decoded.value.data, '__proto__')).toBe(true);
  });

  it('keeps them in an envelope payload and in a run event step output', () => {
    const envelope = anEnvelope();
    const payload = envelope['payload'] as { trigger: { data: Record<string, unknown> } };
    payload.trigger.data = { constructor: 'x', deeper: { constructor: { b: 2 } } };
    const decoded = decodeStepEnvelope(JSON.parse(JSON.stringify(envelope)));
    expect(errorsOf(decoded)).toEqual([]);
    if (decoded.ok && decoded.value.payload.kind === 'context')
      expect(decoded.value.payload.trigger.data).toEqual(payload.trigger.data);
  });
});

describe('decoding requires the nested objects the contract requires', () => {
  it.each(['step', 'payload', 'workflow', 'budget'])(
    'an envelope without %s is refused',
    (field) => {
      const envelope = anEnvelope();
      delete envelope[field];
      expect(errorsOf(decodeStepEnvelope(envelope))).toContain(`${field}: is required`);
    },
  );

  it('an envelope whose payload is not an object is refused, naming it', () => {
    expect(errorsOf(decodeStepEnvelope({ ...anEnvelope(), payload: 'context' }))).toContain(
      'payload: payload must be an object',
    );
  });

  it('a payload without its trigger is refused', () => {
    const envelope = anEnvelope();
    delete (envelope['payload'] as Record<string, unknown>)['trigger'];
    expect(errorsOf(decodeStepEnvelope(envelope))).toContain('payload.trigger: is required');
  });
});

describe('depth and key limits', () => {
  it(`refuses trigger data nested more than ${TRIGGER_DATA_DEPTH} levels, and accepts it at that`, () => {
    expect(errorsOf(decodeTriggerEvent(aTrigger(nested(TRIGGER_DATA_DEPTH))))).toEqual([]);
    const errors = errorsOf(decodeTriggerEvent(aTrigger(nested(TRIGGER_DATA_DEPTH + 1))));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(
      new RegExp(`^data\\.a\\.a.*: nested more than ${TRIGGER_DATA_DEPTH} levels deep`),
    );
  });

  it('refuses 100,000 levels without exhausting the stack, in one short line', () => {
    const errors = errorsOf(decodeStepEnvelope({ ...anEnvelope(), extra: nested(100_000) }));
    expect(errors).toHaveLength(1);
    expect(errors[0]!.length).toBeLessThan(200);
    expect(errors[0]).toContain(`nested more than ${JSON_LIMITS.depth} levels deep`);
  });

  it('an envelope carrying trigger data at its deepest still decodes', () => {
    const envelope = anEnvelope();
    (envelope['payload'] as { trigger: { data: unknown } }).trigger.data =
      nested(TRIGGER_DATA_DEPTH);
    expect(errorsOf(decodeStepEnvelope(envelope))).toEqual([]);
  });

  it(`refuses keys longer than ${JSON_LIMITS.keyLength} characters, quoting only their start`, () => {
    const key = 'k'.repeat(JSON_LIMITS.keyLength + 1);
    const errors = errorsOf(decodeTriggerEvent(aTrigger({ [key]: 1 })));
    expect(errors).toEqual([
      `data: key "${'k'.repeat(20)}…" is ${key.length} characters long, over the limit of ${JSON_LIMITS.keyLength}`,
    ]);
    expect(findShapeProblems({ ['k'.repeat(JSON_LIMITS.keyLength)]: 1 })).toEqual([]);
  });
});

describe('contract limits agree with what is derived and stored', () => {
  it('a trigger at the longest tenant and key makes a first step whose causation id fits', () => {
    const tenantId = 't'.repeat(TENANT_ID_MAX);
    const key = 'k'.repeat(IDEMPOTENCY_KEY_MAX);
    expect(
      errorsOf(decodeTriggerEvent({ ...aTrigger({}), tenantId, idempotencyKey: key })),
    ).toEqual([]);
    const causationId = `trigger:${tenantId}:${key}`;
    expect(causationId.length).toBe(CAUSATION_ID_MAX);
    const envelope = anEnvelope();
    const first = firstStep(
      {
        workflow: { id: 'billing-dispute', version: 1 },
        tenantId,
        causationId,
        deadline: new Date(Date.now() + 60_000),
        budget: { stepsLeft: 10, tokensLeft: 1000, costLeftUsd: 1 },
      },
      { name: 'gather', kind: 'context' },
      envelope['payload'] as never,
    );
    expect(errorsOf(decodeStepEnvelope(JSON.parse(JSON.stringify(first))))).toEqual([]);
  });

  it('refuses integers a Postgres integer column cannot hold', () => {
    const envelope = anEnvelope();
    const step = envelope['step'] as Record<string, unknown>;
    step['seq'] = INT32_MAX + 1;
    expect(errorsOf(decodeStepEnvelope(envelope))).toContain(
      `step.seq: seq must not be greater than ${INT32_MAX}`,
    );
    expect(errorsOf(decodeTriggerEvent({ ...aTrigger({}), workflowVersion: 2 ** 40 }))).toContain(
      `workflowVersion: workflowVersion must not be greater than ${INT32_MAX}`,
    );
  });
});

describe('no input makes a decoder throw', () => {
  const decoders = {
    decodeStepEnvelope,
    decodeTriggerEvent,
    decodeRunEvent,
    decodeEffectRecord,
  };
  const keys = fc.oneof(
    fc.constantFrom('constructor', '__proto__', 'prototype', 'toString', 'step', 'payload', 'kind'),
    fc.string({ maxLength: 8 }),
  );
  const json = fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.constant(null),
      fc.boolean(),
      fc.double(),
      fc.integer(),
      fc.string({ maxLength: 12, unit: 'binary' }),
      fc.array(tie('value'), { maxLength: 4 }),
      fc.dictionary(keys, tie('value'), { maxKeys: 5 }),
    ),
  })).value;

  it.each(Object.entries(decoders))('%s answers errors for 2,000 generated values', (_, decode) => {
    const base = { ...anEnvelope(), ...aTrigger({}) };
    fc.assert(
      fc.property(
        fc.oneof(json, fc.dictionary(keys, json), fc.record({ payload: json, step: json })),
        (value) => {
          const plain =
            value && typeof value === 'object' && !Array.isArray(value)
              ? { ...base, ...value }
              : value;
          const decoded = decode(plain);
          expect(typeof decoded.ok).toBe('boolean');
        },
      ),
      { numRuns: 2_000, seed: SEED },
    );
  });

  it('decodeWorkflowRecord answers errors for generated text', () => {
    fc.assert(
      fc.property(fc.oneof(fc.json(), fc.string({ unit: 'binary' })), (text) => {
        expect(typeof decodeWorkflowRecord(text).ok).toBe('boolean');
      }),
      { numRuns: 1_000, seed: SEED },
    );
  });
});
