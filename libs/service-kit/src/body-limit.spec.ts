import { describe, expect, it } from 'vitest';
import { parseByteSize } from './body-limit.js';

describe(parseByteSize.name, () => {
  it('reads bytes and 1024-based units, as body-parser does', () => {
    expect(parseByteSize('1mb')).toBe(1024 * 1024);
    expect(parseByteSize('512KB')).toBe(512 * 1024);
    expect(parseByteSize('1.5 mb')).toBe(1.5 * 1024 * 1024);
    expect(parseByteSize('2048')).toBe(2048);
    expect(parseByteSize('100b')).toBe(100);
  });

  it('refuses anything else, and sizes under one byte', () => {
    for (const text of ['', 'lots', '1 megabyte', '-1mb', '0', '0.1b', '1tb'])
      expect(parseByteSize(text), text).toBeUndefined();
  });
});
