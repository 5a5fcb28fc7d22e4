import { describe, expect, it } from 'vitest';
import { REASON_MAX, clipReason } from './reason.js';

describe(clipReason.name, () => {
  it('keeps a short reason as it is, trimmed', () => {
    expect(clipReason('  refused: over the limit ')).toBe('refused: over the limit');
  });

  it('cuts a long reason to REASON_MAX characters, ending in an ellipsis', () => {
    const clipped = clipReason('x'.repeat(REASON_MAX + 50));
    expect(clipped).toHaveLength(REASON_MAX);
    expect(clipped.endsWith('…')).toBe(true);
    expect(clipReason('y'.repeat(REASON_MAX))).toBe('y'.repeat(REASON_MAX));
  });

  it('gives the fallback for an empty reason', () => {
    expect(clipReason('   ', 'escalated')).toBe('escalated');
  });
});
