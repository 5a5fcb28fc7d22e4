import { ConfigError, loadConfig } from '@baton/config';
import { API_KEYS, ApiKeysConfig, sha256, type ServiceDefinition } from '@baton/service-kit';
import { describe, expect, it } from 'vitest';
import { EscalationConfig } from './config/escalation.config.js';
import { escalationService } from './escalation.service-definition.js';

type ProvidersContext = Parameters<NonNullable<ServiceDefinition['providers']>>[0];

/** The definition's providers, given the settings the kit would load from `env`. */
async function providersOf(env: NodeJS.ProcessEnv) {
  const settings = ((cls: new () => object) => {
    expect(escalationService.settings).toContain(cls);
    return loadConfig(cls, env, escalationService.name);
  }) as ProvidersContext['settings'];
  return (await escalationService.providers!({ env, settings } as ProvidersContext)) ?? [];
}

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(EscalationConfig, env, escalationService.name);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  return [];
}

describe('escalation settings', () => {
  it('are the kit to load: EscalationConfig and the API keys, each under its class', () => {
    expect(escalationService.settings).toEqual([EscalationConfig, ApiKeysConfig]);
  });

  it('sweeps every minute by default', () => {
    expect({ ...loadConfig(EscalationConfig, {}, 'escalation') }).toEqual({
      slaSweepIntervalMs: 60_000,
      notifyAllowedHosts: [],
      notifyTimeoutMs: 5_000,
      notifyAttempts: 3,
      claimMinutes: 30,
    });
  });

  it('provides the API keys, parsed', async () => {
    const hash = sha256('k').toString('hex');
    const providers = await providersOf({ BATON_API_KEYS: `rita:reviewer:${hash}` });
    expect(providers).toEqual([
      {
        provide: API_KEYS,
        useValue: [{ name: 'rita', role: 'reviewer', hash: Buffer.from(hash, 'hex') }],
      },
    ]);
  });

  it('reads the webhook hosts as a list, and names out-of-range notification and claim settings', () => {
    const config = loadConfig(
      EscalationConfig,
      { BATON_NOTIFY_ALLOWED_HOSTS: 'hooks.acme.example, *.pager.example' },
      'escalation',
    );
    expect(config.notifyAllowedHosts).toEqual(['hooks.acme.example', '*.pager.example']);
    expect(
      problemsOf({
        BATON_NOTIFY_TIMEOUT_MS: '10',
        BATON_NOTIFY_ATTEMPTS: '0',
        BATON_CLAIM_MINUTES: '2000',
      }),
    ).toEqual([
      'BATON_NOTIFY_TIMEOUT_MS must be at least 100, got 10',
      'BATON_NOTIFY_ATTEMPTS must be at least 1, got 0',
      'BATON_CLAIM_MINUTES must be at most 1440, got 2000',
    ]);
  });

  it('names a bad sweep interval and a malformed key entry', async () => {
    expect(problemsOf({ BATON_SLA_SWEEP_INTERVAL_MS: '10' })).toEqual([
      'BATON_SLA_SWEEP_INTERVAL_MS must be at least 1000, got 10',
    ]);
    const malformed = await providersOf({ BATON_API_KEYS: 'rita:boss:abc' }).catch(
      (error: unknown) => error,
    );
    expect(malformed).toBeInstanceOf(ConfigError);
    expect((malformed as ConfigError).problems).toEqual([
      expect.stringMatching(/^BATON_API_KEYS entry 1 must be name:role:sha256hex/),
    ]);
  });
});
