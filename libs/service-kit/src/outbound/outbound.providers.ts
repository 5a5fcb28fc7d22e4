import type { Provider } from '@nestjs/common';
import { ConfigError } from '@baton/config';
import { parseEndpoints } from './endpoints.js';
import type { SettingsOf } from '../run-service.js';
import { OutboundConfig } from './outbound.config.js';
import { OutboundHttp } from './outbound-http.js';
import { SecretStore } from './secret-store.js';

/**
 * The secret store and the outbound HTTP client of a service that calls out or publishes
 * definitions that do (`OutboundConfig` among its settings).
 */
export function outboundProviders(
  env: NodeJS.ProcessEnv,
  settings: SettingsOf,
  service = 'service',
): Provider[] {
  const config = settings(OutboundConfig);
  // A bad endpoint stops the start, naming it, rather than failing each call that needs it.
  const endpoints = parseEndpoints(config.endpoints);
  if (!endpoints.ok)
    throw new ConfigError(
      service,
      endpoints.problems.map((problem) => `BATON_ENDPOINTS: ${problem}`),
    );
  return [
    { provide: SecretStore, useValue: new SecretStore(env, config.secretsDir) },
    { provide: OutboundHttp, useValue: new OutboundHttp(config) },
  ];
}
