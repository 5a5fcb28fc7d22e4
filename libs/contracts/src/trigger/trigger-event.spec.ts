import { describe, expect, it } from 'vitest';
import { findUnstorableText } from '../validation/decode.js';
import { decodeTriggerEvent, triggerEventDigest, type TriggerEvent } from './trigger-event.js';

const anEvent = (overrides: Record<string, unknown> = {}) => ({
  schemaVersion: 1,
  idempotencyKey: 'k-1',
  workflowId: 'billing-dispute',
  tenantId: 'acme',
  eventType: 'support.ticket.created',
  source: 'zendesk',
  data: { customerId: 'cus_1001', message: 'Charged twice' },
  ...overrides,
});

const decoded = (plain: unknown): TriggerEvent => {
  const result = decodeTriggerEvent(plain);
  if (!result.ok) throw new Error(result.errors.join('; '));
  return result.value;
};

describe(findUnstorableText.name, () => {
  it('names a value with a NUL character by its path', () => {
    expect(findUnstorableText({ data: { message: 'a\u0000b' } })).toEqual([
      'data.message: contains a NUL character (U+0000), which cannot be stored',
    ]);
  });

  it('names a key with a NUL character by the path of its object, quoting the key escaped', () => {
    const problems = findUnstorableText({ data: { customer: { 'na\u0000me': 'Ann' } } });
    expect(problems).toEqual([
      'data.customer: key "na\\u0000me" contains a NUL character (U+0000), which cannot be stored',
    ]);
    expect(problems.join('')).not.toContain('\u0000');
  });

  it('names unpaired surrogates, high or low, and leaves paired ones (emoji) alone', () => {
    expect(
      findUnstorableText({ ok: 'thumbs \uD83D\uDC4D', high: 'x\uD83D', low: '\uDC4Dy' }),
    ).toEqual([
      'high: contains an unpaired UTF-16 surrogate (U+D83D, not valid Unicode), which cannot be stored',
      'low: contains an unpaired UTF-16 surrogate (U+DC4D, not valid Unicode), which cannot be stored',
    ]);
  });

  it('names array items by index, in document order, and both faults of one string in one line', () => {
    expect(findUnstorableText({ a: ['fine', '\u0000'], b: '\u0000\uDFFF' })).toEqual([
      'a.1: contains a NUL character (U+0000), which cannot be stored',
      'b: contains a NUL character (U+0000) and an unpaired UTF-16 surrogate (U+DFFF, not valid Unicode), which cannot be stored',
    ]);
  });

  it('finds nothing in storable text, numbers, booleans and nulls', () => {
    expect(findUnstorableText({ a: 'héllo ✓ 日本', b: 1, c: null, d: [true, { e: '' }] })).toEqual(
      [],
    );
  });

  it('sums up problems past the twentieth in one line', () => {
    const many = Object.fromEntries(Array.from({ length: 25 }, (_, i) => [`f${i}`, '\u0000']));
    const problems = findUnstorableText(many);
    expect(problems).toHaveLength(21);
    expect(problems.at(-1)).toBe('(root): 5 more strings that cannot be stored');
  });

  it('walks deeply nested input without exhausting the stack', () => {
    let deep: unknown = 'bottom\u0000';
    for (let i = 0; i < 50_000; i++) deep = [deep];
    expect(findUnstorableText(deep)).toHaveLength(1);
  });
});

describe(decodeTriggerEvent.name, () => {
  it('refuses NUL or unpaired surrogates in any field, each named by its path', () => {
    expect(
      decodeTriggerEvent(
        anEvent({
          idempotencyKey: 'k\u0000',
          source: 'zen\uD800desk',
          data: { message: 'hi\u0000', nested: { 'k\u0000': 1 } },
        }),
      ),
    ).toEqual({
      ok: false,
      errors: [
        'idempotencyKey: contains a NUL character (U+0000), which cannot be stored',
        'source: contains an unpaired UTF-16 surrogate (U+D800, not valid Unicode), which cannot be stored',
        'data.message: contains a NUL character (U+0000), which cannot be stored',
        'data.nested: key "k\\u0000" contains a NUL character (U+0000), which cannot be stored',
      ],
    });
  });

  it('reports unstorable text after the contract problems, all at once', () => {
    expect(decodeTriggerEvent(anEvent({ tenantId: undefined, data: { m: '\u0000' } }))).toEqual({
      ok: false,
      errors: [
        'tenantId: is required',
        'data.m: contains a NUL character (U+0000), which cannot be stored',
      ],
    });
  });
});

describe(triggerEventDigest.name, () => {
  it('does not depend on key order, at the top or nested', () => {
    const a = decoded(anEvent({ data: { customerId: 'cus_1', amounts: [1, { x: 1, y: 2 }] } }));
    const b = decoded({
      data: { amounts: [1, { y: 2, x: 1 }], customerId: 'cus_1' },
      source: 'zendesk',
      eventType: 'support.ticket.created',
      tenantId: 'acme',
      workflowId: 'billing-dispute',
      idempotencyKey: 'k-1',
      schemaVersion: 1,
    });
    expect(triggerEventDigest(a)).toBe(triggerEventDigest(b));
    expect(triggerEventDigest(a)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('changes with any value of the contract: data, occurredAt, array order', () => {
    const digest = (overrides: Record<string, unknown>) =>
      triggerEventDigest(decoded(anEvent(overrides)));
    const base = digest({});
    expect(digest({ data: { customerId: 'cus_1001', message: 'Charged once' } })).not.toBe(base);
    expect(digest({ occurredAt: '2026-11-25T09:30:00.000Z' })).not.toBe(base);
    expect(digest({ data: { list: [1, 2] } })).not.toBe(digest({ data: { list: [2, 1] } }));
  });

  it('ignores unknown extra fields, which the contract accepts and ignores', () => {
    expect(triggerEventDigest(decoded(anEvent({ extra: 'x' })))).toBe(
      triggerEventDigest(decoded(anEvent())),
    );
  });
});
