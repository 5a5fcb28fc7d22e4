// The six services' HTTP ports for `npm run start:distributed` (tools/start-local.ts). The same
// setting as embedded mode (`npm start`): BATON_PORT_BASE moves all six together, trigger on the
// base and escalation on base+5; unset or 0 keeps the defaults 3000–3005.
import { createServer } from 'node:net';
import { loadConfig } from '@baton/config';
import { DEFAULT_PORTS, SERVICES, type ServiceName } from '@baton/testing';
import { EmbeddedConfig } from '../services/embedded/src/embedded.config.js';

export type ServicePorts = Record<ServiceName, number>;

/**
 * Each service's port for this BATON_PORT_BASE (read and checked as embedded mode does: an
 * integer from 0 to 65530). A bad value throws the ConfigError naming it.
 */
export function servicePorts(env: NodeJS.ProcessEnv): ServicePorts {
  const { portBase } = loadConfig(EmbeddedConfig, env, 'start:distributed');
  return Object.fromEntries(
    SERVICES.map((service) => [
      service,
      portBase ? portBase + DEFAULT_PORTS[service] - DEFAULT_PORTS.trigger : DEFAULT_PORTS[service],
    ]),
  ) as ServicePorts;
}

/**
 * The services whose port something else already listens on, at `host`. A Baton still running
 * there would answer the readiness probe in place of the process just started, so the start
 * stops at once instead, naming the ports.
 */
export async function portsInUse(ports: ServicePorts, host: string): Promise<ServiceName[]> {
  const taken: ServiceName[] = [];
  for (const service of SERVICES) {
    const inUse = await new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(true));
      server.listen(ports[service], host, () => server.close(() => resolve(false)));
    });
    if (inUse) taken.push(service);
  }
  return taken;
}
