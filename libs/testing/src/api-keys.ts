import { createHash } from 'node:crypto';

/** Test API keys, one per role, and the BATON_API_KEYS value that grants them. */
export const TEST_KEYS = {
  publisher: 'test-publisher-key-0001',
  reviewer: 'test-reviewer-key-0002',
  admin: 'test-admin-key-0003',
} as const;

export function testApiKeysSetting(): string {
  return Object.entries(TEST_KEYS)
    .map(([role, key]) => `${role}-1:${role}:${createHash('sha256').update(key).digest('hex')}`)
    .join(',');
}

export const bearer = (role: keyof typeof TEST_KEYS) => ({
  authorization: `Bearer ${TEST_KEYS[role]}`,
});
