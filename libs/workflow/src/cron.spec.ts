import { describe, expect, it } from 'vitest';
import { cronProblems, isCron } from './cron.js';

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
