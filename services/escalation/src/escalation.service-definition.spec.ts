import { ConfigError } from '@baton/config';
import { API_KEYS, sha256 } from '@baton/service-kit';
import { describe, expect, it } from 'vitest';
import { ESCALATION_CONFIG } from './escalation.config.js';
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
    expect(value(ESCALATION_CONFIG)).toEqual({ slaSweepIntervalMs: 60_000 });
    expect(value(API_KEYS)).toEqual([
      { name: 'rita', role: 'reviewer', hash: Buffer.from(hash, 'hex') },
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
