import { describe, expect, it } from 'vitest';
import { UUID_V7_PATTERN, uuidv7, uuidv7Time } from './uuid-v7.js';

describe('uuidv7', () => {
  it('produces RFC 9562 version 7 ids that carry their creation time', () => {
    const at = Date.UTC(2026, 10, 25, 10, 0, 0, 123);
    const id = uuidv7(at + 1000);
    expect(id).toMatch(UUID_V7_PATTERN);
    expect(uuidv7Time(id).getTime()).toBe(at + 1000);
  });

  it('sorts in creation order even within one millisecond', () => {
    const ids = Array.from({ length: 2000 }, () => uuidv7(Date.UTC(2030, 0, 1)));
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
  });
});
