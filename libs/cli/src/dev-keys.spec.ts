import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isLoopback, readDevKeys, useDevKeys, writeDevKeys } from './dev-keys.js';

const keys = {
  BATON_API_KEY: 'dev_adm_1',
  BATON_REVIEWER_KEY: 'dev_rev_1',
  BATON_PUBLISHER_KEY: 'dev_pub_1',
};
const keysFile = () => {
  const file = join(mkdtempSync(join(tmpdir(), 'baton-dev-keys-')), 'dev-keys.env');
  writeDevKeys(keys, file);
  return file;
};

describe('development keys', () => {
  it('are written readable by the owner only, and read back', () => {
    const file = keysFile();
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readDevKeys(file)).toEqual(keys);
  });

  it('fill the keys that are not set, for a Baton on this machine', () => {
    const env: NodeJS.ProcessEnv = { BATON_REVIEWER_KEY: 'mine' };
    useDevKeys(env, 'http://127.0.0.1:3000', keysFile());
    expect(env).toEqual({ BATON_API_KEY: 'dev_adm_1', BATON_REVIEWER_KEY: 'mine' });
  });

  it('are never sent elsewhere', () => {
    const env: NodeJS.ProcessEnv = {};
    useDevKeys(env, 'https://baton.example.com', keysFile());
    expect(env).toEqual({});
    expect(
      ['http://localhost:3000', 'http://[::1]:3000', 'http://127.0.0.2:1'].map(isLoopback),
    ).toEqual([true, true, true]);
    expect(isLoopback('http://10.0.0.1:3000')).toBe(false);
  });
});
