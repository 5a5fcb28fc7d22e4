import { describe, expect, it } from 'vitest';
import {
  bucketsOf,
  duration,
  groupWorkflows,
  pathOf,
  percent,
  plot,
  provenance,
  usd,
  type WorkflowSummary,
} from './workflows.js';

const version = (id: string, v: number, latest: boolean): WorkflowSummary => ({
  id,
  version: v,
  mode: 'live',
  owner: 'ops',
  description: '',
  publishedAt: null,
  publishedBy: null,
  latest,
});

describe('groupWorkflows', () => {
  it('gives one line per workflow, by id, with its versions newest first and the latest named', () => {
    const groups = groupWorkflows([
      version('refunds', 1, false),
      version('billing', 1, true),
      version('refunds', 3, true),
      version('refunds', 2, false),
    ]);
    expect(groups.map((g) => [g.id, g.versions.map((v) => v.version), g.latest.version])).toEqual([
      ['billing', [1], 1],
      ['refunds', [3, 2, 1], 3],
    ]);
  });
});

describe('provenance', () => {
  it('says who published a version, whether it is a candidate, and who promoted it and overrode its gate', () => {
    const published = { ...version('billing', 2, false), publishedBy: 'admin-1' };
    expect(provenance(version('billing', 1, true))).toEqual(['bundled']);
    expect(provenance({ ...published, candidate: true })).toEqual([
      'published by admin-1',
      'candidate: new triggers do not start it until it is promoted',
    ]);
    expect(
      provenance({
        ...published,
        candidate: false,
        promotedBy: 'admin-2',
        overrideReason: 'hotfix for INC-42',
      }),
    ).toEqual([
      'published by admin-1',
      'promoted by admin-2',
      'publish gate overridden by admin-2: hotfix for INC-42',
    ]);
  });
});

describe('bucketsOf', () => {
  it('cuts the window ending now into equal consecutive spans, oldest first, the last ending now', () => {
    const now = new Date('2026-12-05T12:00:00.000Z');
    const buckets = bucketsOf('7d', now);
    expect(buckets).toHaveLength(7);
    expect(buckets[0]).toEqual({
      since: '2026-11-28T12:00:00.000Z',
      until: '2026-11-29T12:00:00.000Z',
    });
    expect(buckets.at(-1)!.until).toBe(now.toISOString());
    for (let i = 1; i < buckets.length; i++) expect(buckets[i]!.since).toBe(buckets[i - 1]!.until);
    expect(bucketsOf('30d', now)).toHaveLength(10);
  });
});

describe('plot and pathOf', () => {
  it('puts rates between the bottom (0) and the top (1), and breaks the line where a span had no runs', () => {
    const points = plot([0, 0.5, null, 1], 300, 100, 1);
    expect(points).toEqual([{ x: 0, y: 100 }, { x: 100, y: 50 }, null, { x: 300, y: 0 }]);
    expect(pathOf(points)).toBe('M0 100 L100 50 M300 0');
  });

  it('scales amounts to the largest value and centres a single point', () => {
    expect(plot([2, 4], 100, 40)).toEqual([
      { x: 0, y: 20 },
      { x: 100, y: 0 },
    ]);
    expect(plot([3], 100, 40)).toEqual([{ x: 50, y: 0 }]);
    expect(plot([0, 0], 100, 40)).toEqual([
      { x: 0, y: 40 },
      { x: 100, y: 40 },
    ]);
  });
});

describe('figures for people', () => {
  it('writes rates, money and durations the way the page shows them', () => {
    expect(percent(0.41666)).toBe('41.7 %');
    expect(percent(1)).toBe('100.0 %');
    expect(percent(null)).toBe('—');
    expect(usd(1.5)).toBe('$1.50');
    expect(usd(0.0012)).toBe('$0.0012');
    expect(usd(null)).toBe('—');
    expect(duration(850)).toBe('850 ms');
    expect(duration(4200)).toBe('4.2 s');
    expect(duration(600_000)).toBe('10 min');
  });
});
