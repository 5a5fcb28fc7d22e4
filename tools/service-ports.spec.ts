import { createServer, type AddressInfo, type Server } from 'node:net';
import { ConfigError } from '@baton/config';
import { afterEach, describe, expect, it } from 'vitest';
import { portsInUse, servicePorts } from './service-ports.js';

describe(servicePorts.name, () => {
  it('keeps the default ports 3000–3005 without BATON_PORT_BASE, or with 0', () => {
    const defaults = {
      trigger: 3000,
      context: 3001,
      decision: 3002,
      action: 3003,
      validation: 3004,
      escalation: 3005,
    };
    expect(servicePorts({})).toEqual(defaults);
    expect(servicePorts({ BATON_PORT_BASE: '' })).toEqual(defaults);
    expect(servicePorts({ BATON_PORT_BASE: '0' })).toEqual(defaults);
  });

  it('moves all six together from BATON_PORT_BASE: trigger on it, escalation on base+5', () => {
    expect(servicePorts({ BATON_PORT_BASE: '4000' })).toEqual({
      trigger: 4000,
      context: 4001,
      decision: 4002,
      action: 4003,
      validation: 4004,
      escalation: 4005,
    });
  });

  it('refuses what embedded mode refuses, naming the variable', () => {
    for (const value of ['abc', '-1', '65531', '40.5']) {
      expect(() => servicePorts({ BATON_PORT_BASE: value }), value).toThrow(ConfigError);
    }
    expect(() => servicePorts({ BATON_PORT_BASE: 'abc' })).toThrow(/BATON_PORT_BASE/);
  });
});

describe(portsInUse.name, () => {
  const servers: Server[] = [];
  afterEach(async () => {
    await Promise.all(
      servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))),
    );
  });
  const listening = async (): Promise<number> => {
    const server = createServer();
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return (server.address() as AddressInfo).port;
  };

  it('names the services whose port is taken, and only those', async () => {
    const taken = await listening();
    // Free ports: taken by a listener of our own, then released.
    const free = await listening();
    await new Promise((resolve) => servers.pop()!.close(resolve));
    const ports = {
      trigger: free,
      context: free,
      decision: taken,
      action: free,
      validation: free,
      escalation: free,
    };
    expect(await portsInUse(ports, '127.0.0.1')).toEqual(['decision']);
  });
});
