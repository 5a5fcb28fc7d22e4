import { describe, expect, it } from 'vitest';
import { ConfigError } from '@baton/config';
import { parseApiKeys, sha256 } from './auth.js';

describe(parseApiKeys.name, () => {
  it('reads name, role and hash, and names every malformed entry without showing it', () => {
    const hash = sha256('k').toString('hex');
    expect(parseApiKeys([`ci:publisher:${hash}`])).toEqual([
      { name: 'ci', role: 'publisher', hash: sha256('k') },
    ]);
    let error: unknown;
    try {
      parseApiKeys([`ci:publisher:${hash}`, 'ops:root:abc', 'plain-secret-key'], 'trigger');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      'BATON_API_KEYS entry 2 must be name:role:sha256hex with role one of publisher, reviewer, admin',
      'BATON_API_KEYS entry 3 must be name:role:sha256hex with role one of publisher, reviewer, admin',
    ]);
    expect((error as Error).message).not.toContain('plain-secret-key');
  });
});
