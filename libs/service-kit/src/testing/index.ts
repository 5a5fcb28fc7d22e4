// Test-only entry point (`@baton/service-kit/testing`): a real service, started in-process
// the way `runService` starts it in production, for the service's integration tests.
import type { DataSource } from 'typeorm';
import { startServiceUnderTest, type ServiceUnderTest } from '@baton/testing';
import { runService, type RunningService, type ServiceDefinition } from '../run-service.js';
import { DATA_SOURCE } from '../tokens.js';
import type { Clock } from '../clock.js';

export interface StartedService extends ServiceUnderTest<RunningService> {
  /** The service's own database (its schema), to check what it wrote. */
  dataSource: DataSource;
}

export async function startService(
  definition: ServiceDefinition,
  options: { env?: Record<string, string>; workflowsDir?: string } = {},
): Promise<StartedService> {
  const service = await startServiceUnderTest({
    name: definition.name,
    start: (env) => runService(definition, env),
    ...options,
  });
  return { ...service, dataSource: service.running.app.get<DataSource>(DATA_SOURCE) };
}

export { ofRun, type Read } from '@baton/testing';

/**
 * A clock tests move instead of sleeping: fixed at `time` when one is set, otherwise the real
 * time shifted by `offsetMs`.
 */
export class TestClock implements Clock {
  offsetMs = 0;
  constructor(public time?: Date) {}
  now(): Date {
    return this.time ? new Date(this.time) : new Date(Date.now() + this.offsetMs);
  }
}
