import type { Logger } from '@baton/telemetry';

/**
 * What a service opened while starting (database pools, the broker connection, telemetry), in
 * order. `closeAll` closes them in reverse order, each once, logging (not throwing) a failure
 * so the rest still close: on a start that fails half way nothing is left open, and on
 * shutdown the kit closes the same list.
 */
export class Resources {
  private readonly open: Array<{ name: string; close: () => unknown }> = [];

  constructor(private readonly logger: Logger) {}

  /** Registers `resource` (already open) and how to close it; returns it. */
  add<T>(name: string, resource: T, close: (resource: T) => unknown): T {
    this.open.push({ name, close: () => close(resource) });
    return resource;
  }

  /** Names of what is open, in the order it was opened (for tests and logs). */
  get names(): string[] {
    return this.open.map((entry) => entry.name);
  }

  async closeAll(): Promise<void> {
    for (const { name, close } of this.open.splice(0).reverse()) {
      try {
        await close();
      } catch (error) {
        this.logger.warn({ err: error, resource: name }, `closing ${name} failed`);
      }
    }
  }
}
