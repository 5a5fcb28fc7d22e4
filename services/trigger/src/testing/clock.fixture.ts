import { CLOCK, type Clock, type ServiceDefinition } from '@baton/service-kit';
export { TestClock } from '@baton/service-kit/testing';
import { triggerService } from '../trigger.service-definition.js';

/**
 * The trigger service, reading `clock` for its scheduler and its run deadline sweeper: the
 * definition's own providers, then the clock (later providers win over the kit's).
 */
export function triggerServiceOn(clock: Clock): ServiceDefinition {
  return {
    ...triggerService,
    providers: async (context) => [
      ...((await triggerService.providers?.(context)) ?? []),
      { provide: CLOCK, useValue: clock },
    ],
  };
}
