import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SecretStore, redact, redactValue, secretEnvName } from './secret-store.js';

describe(SecretStore.name, () => {
  let dir: string | undefined;
  afterEach(() => dir && rmSync(dir, { recursive: true, force: true }));
  const mounted = (files: Record<string, string>) => {
    dir = mkdtempSync(join(tmpdir(), 'baton-secrets-'));
    for (const [name, value] of Object.entries(files)) writeFileSync(join(dir, name), value);
    return dir;
  };

  it('reads BATON_SECRET_<NAME> first, then the file of that name, without its newline', () => {
    const store = new SecretStore(
      { BATON_SECRET_HELPDESK_TOKEN: 'from-env' },
      mounted({ 'helpdesk-token': 'from-file\n', 'crm-token': 'crm-value\n' }),
    );
    expect(store.get('helpdesk-token')).toBe('from-env');
    expect(store.get('crm-token')).toBe('crm-value');
    expect(store.has('nowhere')).toBe(false);
  });

  it('reads a rotated file at the next use', () => {
    const folder = mounted({ 'crm-token': 'first' });
    const store = new SecretStore({}, folder);
    expect(store.get('crm-token')).toBe('first');
    writeFileSync(join(folder, 'crm-token'), 'second');
    expect(store.get('crm-token')).toBe('second');
  });

  it('never reads outside the folder, and counts an empty value as missing', () => {
    const store = new SecretStore({ BATON_SECRET_EMPTY: '' }, mounted({ empty: '\n' }));
    expect(store.get('../etc/passwd')).toBeUndefined();
    expect(store.get('empty')).toBeUndefined();
    expect(new SecretStore({}, '').whereFor('crm-token')).toBe(
      'BATON_SECRET_CRM_TOKEN (BATON_SECRETS_DIR is not set)',
    );
  });

  it('names the variable of a secret', () => {
    expect(secretEnvName('helpdesk-token')).toBe('BATON_SECRET_HELPDESK_TOKEN');
  });
});

describe(redact.name, () => {
  it('replaces every secret value, the longest first', () => {
    expect(redact('token abc and abcdef', ['abc', 'abcdef'])).toBe('token [secret] and [secret]');
  });

  it('reaches into JSON values, keys included', () => {
    expect(redactValue({ echo: ['Bearer s3cr3t'], s3cr3t: 1, n: 2 }, ['s3cr3t'])).toEqual({
      echo: ['Bearer [secret]'],
      '[secret]': 1,
      n: 2,
    });
  });
});
