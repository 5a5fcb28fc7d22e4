import { describe, expect, it } from 'vitest';
import { cronFireTimes, cronMatches, cronProblems, isCron, parseCron } from './cron.js';

describe('cron schedules', () => {
  it.each([
    '* * * * *',
    '0 6 * * 1-5',
    '*/15 8-18 * * 1-5',
    '0,30 9 1,15 * *',
    '5-55/10 0 1 1-12/3 0',
    '59 23 31 12 7',
    '  0  6 * * *  ',
  ])('accepts %j', (expression) => {
    expect(cronProblems(expression)).toEqual([]);
    expect(isCron(expression)).toBe(true);
  });

  it.each([
    ['', 'expected 5 fields (minute hour day-of-month month day-of-week), got 0'],
    ['* * * *', 'expected 5 fields (minute hour day-of-month month day-of-week), got 4'],
    ['0 0 * * * *', 'expected 5 fields (minute hour day-of-month month day-of-week), got 6'],
    ['60 * * * *', 'minute 60 is out of range 0-59'],
    ['* 24 * * *', 'hour 24 is out of range 0-23'],
    ['* * 0 * *', 'day-of-month 0 is out of range 1-31'],
    ['* * * 13 *', 'month 13 is out of range 1-12'],
    ['* * * * 8', 'day-of-week 8 is out of range 0-7'],
    ['10-5 * * * *', 'minute range 10-5 runs backwards'],
    ['*/0 * * * *', 'minute step 0 must be between 1 and 59'],
    ['5/15 * * * *', 'minute "5/15": a step applies to * or a range a-b'],
    [
      '* * * JAN *',
      'month "JAN" is not *, a number, a range a-b, a step */n or a-b/n, or a list of these',
    ],
    [
      '1,,2 * * * *',
      'minute "" is not *, a number, a range a-b, a step */n or a-b/n, or a list of these',
    ],
    ['@daily', 'expected 5 fields (minute hour day-of-month month day-of-week), got 1'],
  ])('rejects %j: %s', (expression, problem) => {
    expect(cronProblems(expression)).toEqual([problem]);
    expect(isCron(expression)).toBe(false);
  });

  it('reports every wrong field', () => {
    expect(cronProblems('61 25 * * MON')).toEqual([
      'minute 61 is out of range 0-59',
      'hour 25 is out of range 0-23',
      'day-of-week "MON" is not *, a number, a range a-b, a step */n or a-b/n, or a list of these',
    ]);
  });
});

describe('cron matching (UTC)', () => {
  const at = (iso: string) => new Date(iso);
  const times = (expression: string, after: string, until: string) =>
    cronFireTimes(expression, { after: at(after), until: at(until) }).map((d) => d.toISOString());

  // 2026-11-30 is a Monday.
  it.each([
    ['0 8 * * 1', '2026-11-30T08:00:00Z', true],
    ['0 8 * * 1', '2026-11-30T08:00:59.999Z', true], // seconds are ignored
    ['0 8 * * 1', '2026-11-30T08:01:00Z', false],
    ['0 8 * * 1', '2026-12-01T08:00:00Z', false], // a Tuesday
    ['0 8 * * 1', '2026-11-30T09:00:00+01:00', true], // the same instant: UTC decides
    ['0 8 * * 1', '2026-11-30T08:00:00+01:00', false],
    ['*/15 8-18 * * 1-5', '2026-11-30T18:45:00Z', true],
    ['*/15 8-18 * * 1-5', '2026-11-30T18:50:00Z', false],
    ['*/15 8-18 * * 1-5', '2026-11-30T19:00:00Z', false],
    ['*/15 8-18 * * 1-5', '2026-11-29T10:15:00Z', false], // a Sunday
    ['0,30 9 1,15 * *', '2026-12-15T09:30:00Z', true],
    ['0,30 9 1,15 * *', '2026-12-16T09:30:00Z', false],
    ['5-55/10 0 1 1-12/3 *', '2026-10-01T00:55:00Z', true], // months 1, 4, 7, 10
    ['5-55/10 0 1 1-12/3 *', '2026-11-01T00:55:00Z', false],
    ['5-55/10 0 1 1-12/3 *', '2026-10-01T00:50:00Z', false],
    ['0 0 * * 7', '2026-11-29T00:00:00Z', true], // 7 is Sunday, like 0
    ['0 0 * * 0', '2026-11-29T00:00:00Z', true],
    ['0 0 * * 5-7', '2026-11-29T00:00:00Z', true],
    ['0 12 1 * 1', '2026-12-01T12:00:00Z', true], // both days restricted: either one
    ['0 12 1 * 1', '2026-11-30T12:00:00Z', true],
    ['0 12 1 * 1', '2026-12-02T12:00:00Z', false],
    ['0 12 */2 * 1', '2026-12-01T12:00:00Z', false], // a step over *: both must hold
    ['0 12 */2 * 1', '2026-12-07T12:00:00Z', true],
    ['59 23 31 12 *', '2026-12-31T23:59:00Z', true],
  ])('%s at %s: %s', (expression, iso, expected) => {
    expect(cronMatches(expression, at(iso))).toBe(expected);
  });

  it('parses each field into the values it allows', () => {
    const schedule = parseCron(' 1-10/3,30 */6 * 1,6-7 5-7 ');
    expect([...schedule.minutes]).toEqual([1, 4, 7, 10, 30]);
    expect([...schedule.hours]).toEqual([0, 6, 12, 18]);
    expect(schedule.daysOfMonth.size).toBe(31);
    expect([...schedule.months]).toEqual([1, 6, 7]);
    expect([...schedule.daysOfWeek].sort()).toEqual([0, 5, 6]);
    expect(schedule.eitherDay).toBe(false);
    expect(schedule.expression).toBe('1-10/3,30 */6 * 1,6-7 5-7');
  });

  it('refuses to parse an invalid expression, naming every problem', () => {
    expect(() => parseCron('61 25 * * *')).toThrow(
      'invalid cron schedule "61 25 * * *": minute 61 is out of range 0-59; hour 25 is out of range 0-23',
    );
  });

  it('lists the fire times after one instant and at or before another, oldest first', () => {
    expect(times('*/20 * * * *', '2026-11-30T07:40:00Z', '2026-11-30T08:40:00Z')).toEqual([
      '2026-11-30T08:00:00.000Z',
      '2026-11-30T08:20:00.000Z',
      '2026-11-30T08:40:00.000Z',
    ]);
    // Inside a minute: the boundary after `after`, up to the boundary at or before `until`.
    expect(times('* * * * *', '2026-11-30T07:59:30Z', '2026-11-30T08:01:59Z')).toEqual([
      '2026-11-30T08:00:00.000Z',
      '2026-11-30T08:01:00.000Z',
    ]);
    expect(times('0 8 * * 1', '2026-11-23T08:00:00Z', '2026-12-07T08:00:00Z')).toEqual([
      '2026-11-30T08:00:00.000Z',
      '2026-12-07T08:00:00.000Z',
    ]);
    expect(times('0 8 * * 1', '2026-11-30T08:00:00Z', '2026-11-30T09:00:00Z')).toEqual([]);
    expect(times('0 8 * * 1', '2026-11-30T09:00:00Z', '2026-11-30T08:00:00Z')).toEqual([]);
  });
});
