import { describe, expect, it } from 'vitest';
import { compactJson, formatDuration, formatTime, table, wrap } from './values.js';

describe('terminal values', () => {
  it('formats durations from milliseconds to hours', () => {
    expect(formatDuration(0)).toBe('0 ms');
    expect(formatDuration(42)).toBe('42 ms');
    expect(formatDuration(1250)).toBe('1.3 s');
    expect(formatDuration(125_000)).toBe('2m 05s');
    expect(formatDuration(3_720_000)).toBe('1h 02m');
    expect(formatDuration(undefined)).toBe('');
    expect(formatDuration(-5)).toBe('');
  });

  it('shows times in UTC and keeps text that is not a time', () => {
    expect(formatTime('2026-11-25T10:30:00.000+01:00')).toBe('2026-11-25 09:30:00 UTC');
    expect(formatTime('soon')).toBe('soon');
    expect(formatTime(null)).toBe('');
  });

  it('cuts JSON and wraps text at word boundaries', () => {
    expect(compactJson({ a: 'x'.repeat(20) }, 12)).toBe('{"a":"xxxxx…');
    expect(compactJson({ a: 1 })).toBe('{"a":1}');
    expect(wrap('one two three four', 9)).toEqual(['one two', 'three', 'four']);
    expect(wrap('a-very-long-word b', 4)).toEqual(['a-very-long-word', 'b']);
  });

  it('aligns columns, right-aligning the ones asked for', () => {
    expect(
      table(
        [
          ['N', 'NAME'],
          ['10', 'a'],
          ['2', 'bbb'],
        ],
        [0],
      ),
    ).toEqual([' N  NAME', '10  a', ' 2  bbb']);
  });
});
