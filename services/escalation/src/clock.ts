/** The time source of the service: tests replace it to move past an SLA without sleeping. */
export interface Clock {
  now(): Date;
}

export const CLOCK = Symbol('escalation:clock');

export const systemClock: Clock = { now: () => new Date() };
