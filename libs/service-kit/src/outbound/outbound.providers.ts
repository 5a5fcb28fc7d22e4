import type { Provider } from '@nestjs/common';
import type { SettingsOf } from '../run-service.js';
import { OutboundConfig } from './outbound.config.js';
import { OutboundHttp } from './outbound-http.js';
import { SecretStore } from './secret-store.js';

/**
 * The secret store and the outbound HTTP client of a service that calls out or publishes
 * definitions that do (`OutboundConfig` among its settings).
 */
export function outboundProviders(env: NodeJS.ProcessEnv, settings: SettingsOf): Provider[] {
  const config = settings(OutboundConfig);
  return [
    { provide: SecretStore, useValue: new SecretStore(env, config.secretsDir) },
    { provide: OutboundHttp, useValue: new OutboundHttp(config) },
  ];
}
