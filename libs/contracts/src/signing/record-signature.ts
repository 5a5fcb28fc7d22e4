import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto';

/**
 * The header that proves a record was written by one of this deployment's Baton services:
 * `v1.<base64url HMAC-SHA256>` over the record's topic, key and value, with the deployment's
 * signing key (BATON_SIGNING_KEY). Every internal topic requires it; the trigger ingress topic,
 * where upstream systems publish, does not.
 */
export const SIGNATURE_HEADER = 'baton-signature';

/** A key shorter than this is refused: it must not be guessable. */
export const MIN_SIGNING_KEY_LENGTH = 32;

const VERSION = 'v1';

export interface SignableRecord {
  topic: string;
  key: string | null;
  value: string | Buffer | null;
}

/**
 * Signs and verifies records with the deployment's signing keys. The first key signs; every key
 * verifies, so a key is rotated by putting the new one first, rolling every service, then
 * dropping the old one. The topic is signed too: a record signed for one topic is refused on
 * any other (an escalation envelope replayed onto the action topic, say).
 */
export class RecordSigner {
  /** Imported once: importing a raw key on every HMAC was a visible share of a service's CPU. */
  private readonly keys: KeyObject[];

  constructor(keys: readonly string[]) {
    if (keys.length === 0) throw new Error('a record signer needs at least one key');
    for (const key of keys)
      if (key.length < MIN_SIGNING_KEY_LENGTH)
        throw new Error(
          `a signing key must have at least ${MIN_SIGNING_KEY_LENGTH} characters (openssl rand -hex 32 makes one)`,
        );
    this.keys = keys.map((key) => createSecretKey(Buffer.from(key, 'utf8')));
  }

  /** `BATON_SIGNING_KEY`'s value: keys separated by commas, the signing one first; empty: none. */
  static fromSetting(setting: string): RecordSigner | undefined {
    const keys = setting
      .split(',')
      .map((key) => key.trim())
      .filter(Boolean);
    return keys.length ? new RecordSigner(keys) : undefined;
  }

  /** The header value for a record. */
  sign(record: SignableRecord): string {
    return `${VERSION}.${mac(this.keys[0]!, record).toString('base64url')}`;
  }

  /** Whether `signature` (the header's value) proves the record came from this deployment. */
  verify(record: SignableRecord, signature: string | undefined): boolean {
    if (!signature?.startsWith(`${VERSION}.`)) return false;
    const given = Buffer.from(signature.slice(VERSION.length + 1), 'base64url');
    return this.keys.some((key) => {
      const expected = mac(key, record);
      return given.length === expected.length && timingSafeEqual(given, expected);
    });
  }
}

function mac(key: KeyObject, record: SignableRecord): Buffer {
  const hmac = createHmac('sha256', key);
  // Lengths first, so no two different (topic, key, value) triples give the same input.
  const value = record.value ?? '';
  const valueBytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  const key_ = record.key === null ? '' : record.key;
  hmac.update(`baton-record-${VERSION}\n${record.topic.length}:${record.topic}\n`);
  hmac.update(record.key === null ? '-\n' : `${Buffer.byteLength(key_)}:${key_}\n`);
  hmac.update(`${valueBytes.length}:`);
  hmac.update(valueBytes);
  return hmac.digest();
}
