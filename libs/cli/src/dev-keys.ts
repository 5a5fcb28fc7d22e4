// Development keys: `npm start` / `baton dev` make fresh API keys at each start and write them
// to .baton/dev-keys.env (mode 0600) in the repository. Commands aimed at a service on this
// machine use them when BATON_API_KEY / BATON_REVIEWER_KEY are not set.
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const DEV_KEYS_FILE = fileURLToPath(
  new URL('../../../.baton/dev-keys.env', import.meta.url),
);

/** The record signing key of Baton on this machine (kept across starts, unlike the API keys). */
export const DEV_SIGNING_KEY_FILE = fileURLToPath(
  new URL('../../../.baton/signing.key', import.meta.url),
);

/**
 * BATON_SIGNING_KEY for Baton on this machine over Kafka: made once (32 random bytes, hex) and
 * kept in .baton/signing.key (mode 0600), so records written before a restart still verify
 * after it. A deployment sets its own key instead (deploy/README.md).
 */
export function devSigningKey(file = DEV_SIGNING_KEY_FILE): string {
  if (existsSync(file)) {
    const key = readFileSync(file, 'utf8').trim();
    if (key) return key;
  }
  mkdirSync(dirname(file), { recursive: true });
  const key = randomBytes(32).toString('hex');
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return key;
}

export interface DevKeys {
  /** Admin key: every command works with it. */
  BATON_API_KEY: string;
  BATON_REVIEWER_KEY: string;
  BATON_PUBLISHER_KEY: string;
}

export function writeDevKeys(keys: DevKeys, file = DEV_KEYS_FILE): void {
  mkdirSync(dirname(file), { recursive: true });
  const lines = [
    '# Development keys of the Baton started by `npm start` / `baton dev`; new at each start.',
    ...Object.entries(keys).map(([name, value]) => `${name}=${value}`),
    '',
  ];
  writeFileSync(file, lines.join('\n'), { mode: 0o600 });
  chmodSync(file, 0o600); // an existing file keeps its mode on write
}

export function readDevKeys(file = DEV_KEYS_FILE): Partial<DevKeys> {
  if (!existsSync(file)) return {};
  const keys: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const match = /^(BATON_[A-Z_]+)=(\S+)$/.exec(line.trim());
    if (match) keys[match[1]!] = match[2]!;
  }
  return keys;
}

/** Loopback: the only targets the development keys are sent to. */
export function isLoopback(url: string): boolean {
  const host = new URL(url).hostname;
  return host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * Fills BATON_API_KEY and BATON_REVIEWER_KEY in `env` from the development keys file when they
 * are unset and the trigger service is on this machine.
 */
export function useDevKeys(env: NodeJS.ProcessEnv, triggerUrl: string, file = DEV_KEYS_FILE): void {
  if ((env['BATON_API_KEY'] && env['BATON_REVIEWER_KEY']) || !isLoopback(triggerUrl)) return;
  const keys = readDevKeys(file);
  if (!env['BATON_API_KEY'] && keys.BATON_API_KEY) env['BATON_API_KEY'] = keys.BATON_API_KEY;
  if (!env['BATON_REVIEWER_KEY'] && keys.BATON_REVIEWER_KEY)
    env['BATON_REVIEWER_KEY'] = keys.BATON_REVIEWER_KEY;
}
