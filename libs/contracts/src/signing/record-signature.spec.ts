import { describe, expect, it } from 'vitest';
import { RecordSigner } from './record-signature.js';

const KEY = 'a'.repeat(32);
const OTHER = 'b'.repeat(32);
const record = { topic: 'baton.step.action', key: 'run-1', value: '{"amount":450}' };

describe(RecordSigner.name, () => {
  it('verifies what it signed, byte for byte, as a string or a Buffer', () => {
    const signer = new RecordSigner([KEY]);
    const signature = signer.sign(record);
    expect(signature).toMatch(/^v1\.[A-Za-z0-9_-]{43}$/);
    expect(signer.verify({ ...record, value: Buffer.from(record.value) }, signature)).toBe(true);
  });

  it('refuses a changed value, key or topic, another key, and a missing or malformed header', () => {
    const signer = new RecordSigner([KEY]);
    const signature = signer.sign(record);
    expect(signer.verify({ ...record, value: '{"amount":451}' }, signature)).toBe(false);
    expect(signer.verify({ ...record, key: 'run-2' }, signature)).toBe(false);
    expect(signer.verify({ ...record, key: null }, signature)).toBe(false);
    expect(signer.verify({ ...record, topic: 'baton.step.decision' }, signature)).toBe(false);
    expect(new RecordSigner([OTHER]).verify(record, signature)).toBe(false);
    expect(signer.verify(record, undefined)).toBe(false);
    expect(signer.verify(record, 'v1.')).toBe(false);
    expect(signer.verify(record, `v2.${signature.slice(3)}`)).toBe(false);
  });

  it('does not let the topic, key and value boundaries shift', () => {
    const signer = new RecordSigner([KEY]);
    const a = signer.sign({ topic: 't', key: 'ab', value: 'c' });
    expect(signer.verify({ topic: 't', key: 'a', value: 'bc' }, a)).toBe(false);
  });

  it('rotates: the first key signs, every key verifies', () => {
    const old = new RecordSigner([OTHER]).sign(record);
    const rotating = RecordSigner.fromSetting(` ${KEY} , ${OTHER} `)!;
    expect(rotating.verify(record, old)).toBe(true);
    expect(new RecordSigner([KEY]).verify(record, rotating.sign(record))).toBe(true);
  });

  it('has no signer without a key, and refuses a short one', () => {
    expect(RecordSigner.fromSetting('')).toBeUndefined();
    expect(() => RecordSigner.fromSetting('short')).toThrow(/at least 32 characters/);
  });
});
