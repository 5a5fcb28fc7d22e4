// The `baton` command line as a user runs it: `node libs/cli/bin/baton.mjs …` in a child process.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '@baton/testing';

const exec = promisify(execFile);

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `baton <args>` from the repository root, without colours; never throws on a non-zero exit. */
export async function baton(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  try {
    const { stdout, stderr } = await exec(
      process.execPath,
      [join(REPO_ROOT, 'libs/cli/bin/baton.mjs'), ...args],
      {
        cwd: REPO_ROOT,
        env: { ...process.env, NO_COLOR: '1', ...env },
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return {
      code: typeof failed.code === 'number' ? failed.code : -1,
      stdout: failed.stdout ?? '',
      stderr: failed.stderr ?? '',
    };
  }
}
