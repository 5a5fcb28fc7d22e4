import { ConfigError } from '@baton/config';
import { API_KEYS, sha256 } from '@baton/service-kit';
import { describe, expect, it } from 'vitest';
import { ESCALATION_CONFIG } from './config/escalation.config.js';
import { loadSettings } from './escalation.service-definition.js';

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadSettings(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  return [];
}

describe('escalation settings', () => {
  it('sweeps every minute by default and reads the API keys', () => {
    const hash = sha256('k').toString('hex');
    const providers = loadSettings({ BATON_API_KEYS: `rita:reviewer:${hash}` });
    const value = (token: symbol) =>
      (
        providers.find((p) => typeof p === 'object' && 'provide' in p && p.provide === token) as {
          useValue: unknown;
        }
      ).useValue;
    expect(value(ESCALATION_CONFIG)).toEqual({
      slaSweepIntervalMs: 60_000,
      notifyAllowedHosts: [],
      notifyTimeoutMs: 5_000,
      notifyAttempts: 3,
      claimMinutes: 30,
    });
    expect(value(API_KEYS)).toEqual([
      { name: 'rita', role: 'reviewer', hash: Buffer.from(hash, 'hex') },
    ]);
  });

  it('reads the webhook hosts as a list, and names out-of-range notification and claim settings', () => {
    const hash = sha256('k').toString('hex');
    const providers = loadSettings({
      BATON_API_KEYS: `rita:reviewer:${hash}`,
      BATON_NOTIFY_ALLOWED_HOSTS: 'hooks.acme.example, *.pager.example',
    });
    const config = (
      providers.find(
        (p) => typeof p === 'object' && 'provide' in p && p.provide === ESCALATION_CONFIG,
      ) as { useValue: { notifyAllowedHosts: string[] } }
    ).useValue;
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

  it('names a bad sweep interval and a malformed key entry', () => {
    expect(problemsOf({ BATON_SLA_SWEEP_INTERVAL_MS: '10' })).toEqual([
      'BATON_SLA_SWEEP_INTERVAL_MS must be at least 1000, got 10',
    ]);
    expect(problemsOf({ BATON_API_KEYS: 'rita:boss:abc' })).toEqual([
      expect.stringMatching(/^BATON_API_KEYS entry 1 must be name:role:sha256hex/),
    ]);
  });
});
