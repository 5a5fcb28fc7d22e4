/** The time source of the scheduler and the run deadline sweeper: tests set it instead of waiting. */
export interface Clock {
  now(): Date;
}

export const CLOCK = Symbol('trigger:clock');

export const systemClock: Clock = { now: () => new Date() };
