/** The time source of the scheduler: tests set it to a tick instead of waiting for one. */
export interface Clock {
  now(): Date;
}

export const CLOCK = Symbol('trigger:clock');

export const systemClock: Clock = { now: () => new Date() };
