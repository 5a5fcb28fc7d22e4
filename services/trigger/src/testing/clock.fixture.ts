import type { Clock, ServiceDefinition } from '@baton/service-kit';
export { TestClock } from '@baton/service-kit/testing';
import { triggerProviders, triggerService } from '../trigger.service-definition.js';

/** The trigger service, reading `clock` for its scheduler and its run deadline sweeper. */
export function triggerServiceOn(clock: Clock): ServiceDefinition {
  return { ...triggerService, providers: ({ settings }) => triggerProviders(settings, clock) };
}
