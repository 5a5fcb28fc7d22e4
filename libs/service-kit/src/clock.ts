/**
 * The time source of a service's rules (deadlines, SLAs, schedules, claims): tests replace it
 * (`TestClock` in `@baton/service-kit/testing`) to move past a deadline instead of waiting.
 */
export interface Clock {
  now(): Date;
}

/** Nest token of the service's Clock; the kit provides `systemClock` unless a service overrides. */
export const CLOCK = Symbol('baton:clock');

export const systemClock: Clock = { now: () => new Date() };
