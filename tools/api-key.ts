// `npm run api-key -- <name> <role>`: makes a new API key and prints the BATON_API_KEYS entry
// that grants it (the entry holds only the key's SHA-256, so it may live in config).
import { randomBytes } from 'node:crypto';
import { ROLES, sha256, type Role } from '@baton/service-kit';

const [name, role] = process.argv.slice(2);
if (
  !name ||
  !/^[a-z0-9._-]+$/i.test(name) ||
  !role ||
  !(ROLES as readonly string[]).includes(role)
) {
  process.stderr.write(`usage: npm run api-key -- <name> <${ROLES.join('|')}>\n`);
  process.exit(2);
}
const key = `bk_${randomBytes(24).toString('base64url')}`;
process.stdout.write(
  [
    `API key for ${name} (${role as Role}); shown once, store it as a secret:`,
    `  ${key}`,
    'Add this entry to BATON_API_KEYS (comma-separated) on the trigger and escalation services:',
    `  ${name}:${role}:${sha256(key).toString('hex')}`,
    '',
  ].join('\n'),
);
