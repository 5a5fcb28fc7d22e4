import type { ServiceDefinition } from '@baton/service-kit';
import type { Clock } from '../clock.js';
import { loadSettings, triggerService } from '../trigger.service-definition.js';

/** A clock tests move (past a tick, past a deadline) instead of waiting. */
export class TestClock implements Clock {
  constructor(public time: Date) {}
  now(): Date {
    return this.time;
  }
}

/** The trigger service, reading `clock` for its scheduler and its run deadline sweeper. */
export function triggerServiceOn(clock: Clock): ServiceDefinition {
  return { ...triggerService, providers: ({ env }) => loadSettings(env, clock) };
}
