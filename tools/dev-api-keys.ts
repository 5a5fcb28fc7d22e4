// Development API keys for `npm start` and `npm run start:distributed`: made fresh at each
// start, shown once, granted through BATON_API_KEYS (by their SHA-256) alongside any keys the
// environment already grants.
import { randomBytes } from 'node:crypto';
import { sha256 } from '@baton/service-kit';

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
