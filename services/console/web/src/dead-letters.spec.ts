import { describe, expect, it } from 'vitest';
import { reasonHelp, replayState, shownValue } from './dead-letters.js';

describe('dead letters in the console', () => {
  it('shows a value as it is best read', () => {
    expect(shownValue({ valueFormat: 'json', value: { a: 1 } })).toBe('{\n  "a": 1\n}');
    expect(shownValue({ valueFormat: 'text', value: 'not json' })).toBe('not json');
    expect(shownValue({ valueFormat: 'base64', value: '//4=' })).toBe('//4=');
    expect(shownValue({ valueFormat: 'none', value: null })).toBe('(no value)');
  });

  it('says whether and by whom it was replayed', () => {
    expect(replayState({ replays: 0, replayedBy: null })).toBe('not replayed');
    expect(replayState({ replays: 1, replayedBy: 'admin-1' })).toBe('1 replay, last by admin-1');
    expect(replayState({ replays: 3, replayedBy: 'ops' })).toBe('3 replays, last by ops');
  });

  it('tells an unsigned record from one a fix can help', () => {
    expect(reasonHelp('unsigned')).toMatch(/refused again/);
    expect(reasonHelp('handler-rejected')).toMatch(/once that is fixed/);
    expect(reasonHelp('something else')).toMatch(/without Baton’s headers/);
  });
});
