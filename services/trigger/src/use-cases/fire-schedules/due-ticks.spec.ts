import { describe, expect, it } from 'vitest';
import { dueTicks } from './due-ticks.js';

const at = (iso: string) => new Date(iso);
const iso = (dates: Date[]) => dates.map((d) => d.toISOString());

describe(dueTicks.name, () => {
  // 2026-11-30 is a Monday.
  it('fires the tick of the current minute, in UTC', () => {
    expect(
      iso(dueTicks('0 8 * * 1', { now: at('2026-11-30T08:00:05Z'), catchUpMinutes: 60 })),
    ).toEqual(['2026-11-30T08:00:00.000Z']);
    expect(
      iso(dueTicks('0 8 * * 1', { now: at('2026-11-30T07:59:59.999Z'), catchUpMinutes: 60 })),
    ).toEqual([]);
    // 08:00 in Berlin is 07:00 UTC: not the tick.
    expect(
      iso(dueTicks('0 8 * * 1', { now: at('2026-11-30T08:00:05+01:00'), catchUpMinutes: 60 })),
    ).toEqual([]);
  });

  it('fires nothing already fired', () => {
    expect(
      dueTicks('0 8 * * 1', {
        now: at('2026-11-30T08:00:40Z'),
        lastFired: at('2026-11-30T08:00:00Z'),
        catchUpMinutes: 60,
      }),
    ).toEqual([]);
  });

  it('catches up on the ticks missed since the last one, within the catch-up window', () => {
    expect(
      iso(
        dueTicks('*/15 8-18 * * 1-5', {
          now: at('2026-11-30T09:07:00Z'),
          lastFired: at('2026-11-30T08:15:00Z'),
          catchUpMinutes: 60,
        }),
      ),
    ).toEqual(['2026-11-30T08:30:00.000Z', '2026-11-30T08:45:00.000Z', '2026-11-30T09:00:00.000Z']);
  });

  it('looks back at most catchUpMinutes, fired before or not', () => {
    // Down since Friday evening: only the ticks of the last 60 minutes fire on Monday.
    const now = at('2026-11-30T09:07:00Z');
    const options = { now, lastFired: at('2026-11-27T18:45:00Z'), catchUpMinutes: 60 };
    expect(iso(dueTicks('*/15 8-18 * * 1-5', options))).toEqual([
      '2026-11-30T08:15:00.000Z',
      '2026-11-30T08:30:00.000Z',
      '2026-11-30T08:45:00.000Z',
      '2026-11-30T09:00:00.000Z',
    ]);
    expect(iso(dueTicks('*/15 8-18 * * 1-5', { now, catchUpMinutes: 60 }))).toEqual(
      iso(dueTicks('*/15 8-18 * * 1-5', options)),
    );
    // The window is (now - catchUp, now]: a tick exactly catchUpMinutes old is past it.
    expect(
      iso(dueTicks('0 8 * * 1', { now: at('2026-11-30T09:00:00Z'), catchUpMinutes: 60 })),
    ).toEqual([]);
    expect(
      iso(dueTicks('0 8 * * 1', { now: at('2026-11-30T08:59:59Z'), catchUpMinutes: 60 })),
    ).toEqual(['2026-11-30T08:00:00.000Z']);
    expect(
      iso(dueTicks('* * * * *', { now: at('2026-11-30T09:00:30Z'), catchUpMinutes: 3 })),
    ).toEqual(['2026-11-30T08:58:00.000Z', '2026-11-30T08:59:00.000Z', '2026-11-30T09:00:00.000Z']);
  });

  it('honours lists and ranges of every field', () => {
    const now = at('2026-12-01T09:30:10Z'); // a Tuesday, the 1st
    expect(iso(dueTicks('0,30 9 1,15 * *', { now, catchUpMinutes: 45 }))).toEqual([
      '2026-12-01T09:00:00.000Z',
      '2026-12-01T09:30:00.000Z',
    ]);
    expect(iso(dueTicks('0,30 9 2-14 * *', { now, catchUpMinutes: 45 }))).toEqual([]);
    expect(iso(dueTicks('30 9 * 1-11 *', { now, catchUpMinutes: 45 }))).toEqual([]);
  });
});
