import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from '../command.js';
import { ExitCode, UsageError } from '../exit-codes.js';
import { optionalString, readInteger } from './shared.js';

const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
/** What `npm start` runs: the embedded mode with the example data and development keys. */
const START = `${REPO_ROOT}tools/start.ts`;
const DEFAULT_CASES_MODEL_PORT = '4010';

export const devCommand: Command = {
  name: 'dev',
  summary: 'run Baton on this machine in one process (embedded mode), as `npm start` does',
  positionals: [],
  options: {
    workflows: {
      type: 'string',
      valueName: 'dir',
      description: 'folder of workflow definitions (default ./workflows)',
    },
    port: {
      type: 'string',
      valueName: 'base',
      description:
        'first of the six HTTP ports: trigger on it, escalation on base+5 (default 3000)',
    },
    cases: {
      type: 'boolean',
      description:
        'decisions ask the scripted model that `baton cases` serves (127.0.0.1, env BATON_CASES_MODEL_PORT, default 4010)',
    },
  },
  details: [
    'The six services run in this one process with the in-process transport and an embedded',
    'Postgres (PGlite), unless KAFKA_BROKERS / DATABASE_URL are set. It seeds the example',
    "workflows' business data, prints fresh development keys (also written to",
    '.baton/dev-keys.env, which other baton commands aimed at 127.0.0.1 then use) and a sample',
    "trigger. Without OPENAI_API_KEY decisions follow the workflows' rules only. Ctrl-C stops it.",
  ],
  examples: ['baton dev', 'baton dev --workflows ./my-workflows --port 4000', 'baton dev --cases'],
  async run({ options, io }) {
    const env: NodeJS.ProcessEnv = { ...io.env };
    const workflows = resolve(io.cwd, optionalString(options['workflows']) ?? 'workflows');
    if (!existsSync(workflows)) {
      throw new UsageError(`--workflows: no folder ${workflows}`, 'dev');
    }
    env['BATON_WORKFLOWS_DIR'] = workflows;
    const base = readInteger(options['port'], 'port', 'dev', { min: 1, max: 65_530 });
    if (base !== undefined) env['BATON_PORT_BASE'] = String(base);
    if (options['cases'] === true) {
      const port = io.env['BATON_CASES_MODEL_PORT'] || DEFAULT_CASES_MODEL_PORT;
      env['OPENAI_BASE_URL'] = `http://127.0.0.1:${port}/v1`;
      env['OPENAI_API_KEY'] = 'baton-cases';
    }
    const child = spawn(
      process.execPath,
      ['--import', `${REPO_ROOT}tools/ts-register.mjs`, START],
      { cwd: REPO_ROOT, env, stdio: 'inherit' },
    );
    // Ctrl-C reaches the child too (same process group): it drains and exits; wait for it.
    const ignore = () => undefined;
    const forward = (signal: NodeJS.Signals) => () => child.kill(signal);
    const onTerm = forward('SIGTERM');
    process.on('SIGINT', ignore);
    process.on('SIGTERM', onTerm);
    try {
      const code = await new Promise<number | null>((done, fail) => {
        child.once('error', fail);
        child.once('exit', (exitCode) => done(exitCode));
      });
      return code === 0 ? ExitCode.Ok : ExitCode.Failed;
    } finally {
      process.off('SIGINT', ignore);
      process.off('SIGTERM', onTerm);
    }
  },
};
