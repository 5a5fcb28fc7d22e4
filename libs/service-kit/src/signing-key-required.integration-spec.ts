import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { REPO_ROOT, testDatabaseUrl } from '@baton/testing';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

/** Starts the trigger service's own entry point with `env` and returns how it ended. */
async function startTrigger(env: Record<string, string>) {
  try {
    await run(
      process.execPath,
      ['--import', './tools/ts-register.mjs', 'services/trigger/src/main.ts'],
      {
        cwd: REPO_ROOT,
        env: {
          PATH: process.env['PATH'] ?? '',
          DATABASE_URL: testDatabaseUrl(),
          LOG_LEVEL: 'info',
          ...env,
        },
        timeout: 60_000,
      },
    );
    return { code: 0, output: '' };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
}

describe('a service on Kafka without the signing key', () => {
  it('does not start: exit 78, naming BATON_SIGNING_KEY, before it connects to anything', async () => {
    const missing = await startTrigger({ KAFKA_BROKERS: '127.0.0.1:1', BATON_SIGNING_KEY: '' });
    expect(missing.code).toBe(78);
    expect(missing.output).toContain('BATON_SIGNING_KEY is required with Kafka');
    const short = await startTrigger({ KAFKA_BROKERS: '127.0.0.1:1', BATON_SIGNING_KEY: 'short' });
    expect(short.code).toBe(78);
    expect(short.output).toContain(
      'BATON_SIGNING_KEY: a signing key must have at least 32 characters',
    );
    expect(short.output).not.toContain('    at '); // one line, not a stack trace
  }, 120_000);
});
