import { cronFireTimes } from '@baton/workflow';
import { describe, expect, it } from 'vitest';
import { fireTimes, planTicks, type CatchUpLimits } from './due-ticks.js';

const at = (iso: string) => new Date(iso);
const iso = (dates: Date[]) => dates.map((d) => d.toISOString());
/** The ticks that fire, with a cap too high to matter unless a test sets one. */
const fired = (
  schedule: string,
  limits: Omit<CatchUpLimits, 'maxCatchUp'> & { maxCatchUp?: number },
) => iso(planTicks(schedule, { maxCatchUp: 1_000, ...limits }).fire);

describe(planTicks.name, () => {
  // 2026-11-30 is a Monday.
  it('fires the tick of the current minute, in UTC', () => {
    expect(fired('0 8 * * 1', { now: at('2026-11-30T08:00:05Z'), catchUpMinutes: 60 })).toEqual([
      '2026-11-30T08:00:00.000Z',
    ]);
    expect(fired('0 8 * * 1', { now: at('2026-11-30T07:59:59.999Z'), catchUpMinutes: 60 })).toEqual(
      [],
    );
    // 08:00 in Berlin is 07:00 UTC: not the tick.
    expect(
      fired('0 8 * * 1', { now: at('2026-11-30T08:00:05+01:00'), catchUpMinutes: 60 }),
    ).toEqual([]);
  });

  it('fires nothing already fired', () => {
    expect(
      planTicks('0 8 * * 1', {
        now: at('2026-11-30T08:00:40Z'),
        lastFired: at('2026-11-30T08:00:00Z'),
        catchUpMinutes: 60,
        maxCatchUp: 3,
      }),
    ).toEqual({ fire: [] });
  });

  it('never fires a tick from before the schedule was first seen', () => {
    // An every-minute schedule first seen at 09:00:30: the hour before it was never due.
    const firstSeen = at('2026-11-30T09:00:30Z');
    const limits = { firstSeen, catchUpMinutes: 60, maxCatchUp: 3 };
    expect(planTicks('* * * * *', { ...limits, now: firstSeen })).toEqual({ fire: [] });
    expect(planTicks('* * * * *', { ...limits, now: at('2026-11-30T09:01:05Z') })).toEqual({
      fire: [at('2026-11-30T09:01:00Z')],
    });
    // Seen at the very minute boundary, that tick is its first.
    expect(
      fired('* * * * *', {
        firstSeen: at('2026-11-30T09:00:00Z'),
        now: at('2026-11-30T09:00:10Z'),
        catchUpMinutes: 60,
      }),
    ).toEqual(['2026-11-30T09:00:00.000Z']);
    // Seen long ago but never fired (the service was down since): the window and the cap apply.
    expect(
      planTicks('* * * * *', {
        firstSeen: at('2026-11-30T08:00:30Z'),
        now: at('2026-11-30T09:00:10Z'),
        catchUpMinutes: 60,
        maxCatchUp: 3,
      }),
    ).toEqual({
      fire: [at('2026-11-30T08:58:00Z'), at('2026-11-30T08:59:00Z'), at('2026-11-30T09:00:00Z')],
      skipped: { count: 57, from: at('2026-11-30T08:01:00Z'), until: at('2026-11-30T08:57:00Z') },
    });
  });

  it('fires at most maxCatchUp ticks, the most recent, and reports the older ones as skipped', () => {
    // Down for ten minutes after the 09:00 tick.
    expect(
      planTicks('* * * * *', {
        now: at('2026-11-30T09:10:30Z'),
        lastFired: at('2026-11-30T09:00:00Z'),
        firstSeen: at('2026-11-30T07:00:00Z'),
        catchUpMinutes: 60,
        maxCatchUp: 3,
      }),
    ).toEqual({
      fire: [at('2026-11-30T09:08:00Z'), at('2026-11-30T09:09:00Z'), at('2026-11-30T09:10:00Z')],
      skipped: { count: 7, from: at('2026-11-30T09:01:00Z'), until: at('2026-11-30T09:07:00Z') },
    });
    // Within the cap, every missed tick fires.
    expect(
      fired('*/15 8-18 * * 1-5', {
        now: at('2026-11-30T09:07:00Z'),
        lastFired: at('2026-11-30T08:15:00Z'),
        catchUpMinutes: 60,
        maxCatchUp: 3,
      }),
    ).toEqual(['2026-11-30T08:30:00.000Z', '2026-11-30T08:45:00.000Z', '2026-11-30T09:00:00.000Z']);
  });

  it('looks back at most catchUpMinutes, and counts the older ticks since the last one as skipped', () => {
    // Down since Friday evening: only the ticks of the last 60 minutes fire on Monday.
    const now = at('2026-11-30T09:07:00Z');
    const options = { now, lastFired: at('2026-11-27T18:45:00Z'), catchUpMinutes: 60 };
    expect(planTicks('*/15 8-18 * * 1-5', { ...options, maxCatchUp: 10 })).toEqual({
      fire: [
        at('2026-11-30T08:15:00Z'),
        at('2026-11-30T08:30:00Z'),
        at('2026-11-30T08:45:00Z'),
        at('2026-11-30T09:00:00Z'),
      ],
      // 08:00 is more than 60 minutes back; the weekend has no ticks.
      skipped: { count: 1, from: at('2026-11-30T08:00:00Z'), until: at('2026-11-30T08:00:00Z') },
    });
    // Down since Thursday evening: Friday's 44 quarters are skipped too.
    expect(
      planTicks('*/15 8-18 * * 1-5', {
        ...options,
        lastFired: at('2026-11-26T18:45:00Z'),
        maxCatchUp: 3,
      }).skipped,
    ).toEqual({ count: 46, from: at('2026-11-27T08:00:00Z'), until: at('2026-11-30T08:15:00Z') });
    // With nothing recorded and no first sighting, the window alone bounds it, as before.
    expect(fired('*/15 8-18 * * 1-5', { now, catchUpMinutes: 60 })).toEqual(
      fired('*/15 8-18 * * 1-5', options),
    );
    // The window is (now - catchUp, now]: a tick exactly catchUpMinutes old is past it.
    expect(fired('0 8 * * 1', { now: at('2026-11-30T09:00:00Z'), catchUpMinutes: 60 })).toEqual([]);
    expect(fired('0 8 * * 1', { now: at('2026-11-30T08:59:59Z'), catchUpMinutes: 60 })).toEqual([
      '2026-11-30T08:00:00.000Z',
    ]);
    expect(fired('* * * * *', { now: at('2026-11-30T09:00:30Z'), catchUpMinutes: 3 })).toEqual([
      '2026-11-30T08:58:00.000Z',
      '2026-11-30T08:59:00.000Z',
      '2026-11-30T09:00:00.000Z',
    ]);
  });

  it('honours lists and ranges of every field', () => {
    const now = at('2026-12-01T09:30:10Z'); // a Tuesday, the 1st
    expect(fired('0,30 9 1,15 * *', { now, catchUpMinutes: 45 })).toEqual([
      '2026-12-01T09:00:00.000Z',
      '2026-12-01T09:30:00.000Z',
    ]);
    expect(fired('0,30 9 2-14 * *', { now, catchUpMinutes: 45 })).toEqual([]);
    expect(fired('30 9 * 1-11 *', { now, catchUpMinutes: 45 })).toEqual([]);
  });
});

describe(fireTimes.name, () => {
  it('gives the fire times cronFireTimes gives, jumping over days and hours that do not match', () => {
    const schedules = [
      '* * * * *',
      '*/15 8-18 * * 1-5',
      '0 8 * * 1',
      '0 8 1 * 1',
      '30 23 31 * *',
      '5,55 0,12 29 2 *',
      '*/7 */5 */3 */2 */2',
      '0 0 * * 0',
      '59 23 * 12 7',
    ];
    // Windows across month ends, a leap day and a year end, from odd seconds.
    const windows: Array<[string, string]> = [
      ['2026-11-27T17:03:21Z', '2026-12-08T09:00:00Z'],
      ['2027-12-30T22:58:59.999Z', '2028-03-02T01:00:00Z'],
      ['2026-11-30T08:00:00Z', '2026-11-30T08:00:00Z'],
    ];
    for (const schedule of schedules) {
      for (const [after, until] of windows) {
        const expected = cronFireTimes(schedule, { after: at(after), until: at(until) });
        const actual = [...fireTimes(schedule, at(after).getTime(), at(until).getTime())];
        expect(actual, `${schedule} in (${after}, ${until}]`).toEqual(
          expected.map((d) => d.getTime()),
        );
      }
    }
  });
});
