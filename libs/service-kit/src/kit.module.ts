import {
  Module,
  type DynamicModule,
  type OnApplicationShutdown,
  type Provider,
  type Type,
} from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { MessagingConfig, Routes, type MessagingRuntime } from '@baton/messaging';
import type { Logger, Telemetry } from '@baton/telemetry';
import { HealthController } from './health.controller.js';
import type { Resources } from './resources.js';
import {
  DATA_SOURCE,
  HTTP_BODY_LIMIT,
  LOGGER,
  MESSAGING_RUNTIME,
  SERVICE_INFO,
  type ServiceInfo,
} from './tokens.js';

export interface KitResources {
  service: ServiceInfo;
  dataSource: DataSource;
  runtime: MessagingRuntime;
  routes: Routes;
  /** The messaging settings (a step that retries reads its attempt budget). */
  messaging: MessagingConfig;
  logger: Logger;
  telemetry: Telemetry;
  /** BATON_HTTP_BODY_LIMIT in bytes, for a route that reads its body itself (YAML). */
  httpBodyLimit: number;
  /** Service-specific providers built before Nest starts (its config, clients). */
  providers?: Provider[];
  /** What the kit and the service opened at start, closed in reverse order at shutdown. */
  resources: Resources;
}

/**
 * Closes what was opened at start (the service's clients, the messaging runtime, the broker,
 * the database, telemetry: the reverse of the order they opened in), after Nest has stopped
 * the transport (which drains).
 */
class KitShutdown implements OnApplicationShutdown {
  constructor(private readonly kit: KitResources) {}
  async onApplicationShutdown(signal?: string) {
    this.kit.logger.info({ signal }, 'shutting down');
    await this.kit.resources.closeAll();
  }
}

/**
 * Root module of a service: the service's own feature module plus what every service has
 * (health endpoints, its database, its messaging runtime, its logger), available to the
 * feature module by injection token.
 */
@Module({})
export class KitModule {
  static forService(feature: Type<unknown>, resources: KitResources): DynamicModule {
    const providers: Provider[] = [
      { provide: SERVICE_INFO, useValue: resources.service },
      { provide: DATA_SOURCE, useValue: resources.dataSource },
      { provide: MESSAGING_RUNTIME, useValue: resources.runtime },
      { provide: Routes, useValue: resources.routes },
      { provide: MessagingConfig, useValue: resources.messaging },
      { provide: LOGGER, useValue: resources.logger },
      { provide: HTTP_BODY_LIMIT, useValue: resources.httpBodyLimit },
      { provide: KitShutdown, useValue: new KitShutdown(resources) },
      ...(resources.providers ?? []),
    ];
    return {
      module: KitModule,
      global: true,
      imports: [feature],
      controllers: [HealthController],
      // Steps of a version published a moment ago wait for the registry to deliver it.
      providers,
      exports: providers,
    };
  }
}
