// Development API keys for `npm start` and `npm run start:distributed`: made fresh at each
// start, shown once, granted through BATON_API_KEYS (by their SHA-256) alongside any keys the
// environment already grants.
import { randomBytes } from 'node:crypto';
import { sha256 } from '@baton/service-kit';
import { DEV_KEYS_FILE, writeDevKeys } from '../libs/cli/src/dev-keys.js';

const PREFIX = { publisher: 'dev_pub', reviewer: 'dev_rev', admin: 'dev_adm' } as const;
type Role = keyof typeof PREFIX;

export function devApiKeys<R extends Role>(
  roles: readonly R[],
  granted = process.env['BATON_API_KEYS'],
): { keys: Record<R, string>; setting: string } {
  const keys = Object.fromEntries(
    roles.map((role) => [role, `${PREFIX[role]}_${randomBytes(12).toString('hex')}`]),
  ) as Record<R, string>;
  const setting = [
    ...roles.map((role) => `dev-${role}:${role}:${sha256(keys[role]).toString('hex')}`),
    ...(granted ? [granted] : []),
  ].join(',');
  return { keys, setting };
}

/**
 * Writes a local Baton's keys where the CLI reads them (`.baton/dev-keys.env`, or
 * BATON_DEV_KEYS_FILE elsewhere, as tests do, so a developer's own file is left alone); returns
 * the file.
 */
export function saveDevKeys(keys: Record<Role, string>): string {
  const file = process.env['BATON_DEV_KEYS_FILE'] || DEV_KEYS_FILE;
  writeDevKeys(
    {
      BATON_API_KEY: keys.admin,
      BATON_REVIEWER_KEY: keys.reviewer,
      BATON_PUBLISHER_KEY: keys.publisher,
    },
    file,
  );
  return file;
}
