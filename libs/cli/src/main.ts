// The `baton` command line. `node --import ./tools/ts-register.mjs libs/cli/src/main.ts …`,
// `npm run baton -- …` or the launcher libs/cli/bin/baton.mjs; docs/cli.md describes it.
import { ApiClient, ApiError, UnreachableError } from './api-client.js';
import { parseCommandLine } from './cli-args.js';
import type { Command } from './command.js';
import { approveCommand } from './commands/approve.command.js';
import { backtestCommand } from './commands/backtest.command.js';
import { cancelCommand } from './commands/cancel.command.js';
import { casesCommand } from './commands/cases.command.js';
import { devCommand } from './commands/dev.command.js';
import { promoteCommand } from './commands/promote.command.js';
import { publishCommand } from './commands/publish.command.js';
import { rejectCommand } from './commands/reject.command.js';
import { runCommand } from './commands/run.command.js';
import { runsCommand } from './commands/runs.command.js';
import { deadLettersCommand } from './commands/dead-letters.command.js';
import { statsCommand } from './commands/stats.command.js';
import { stepValueCommand } from './commands/step-value.command.js';
import { taskCommand } from './commands/task.command.js';
import { tasksCommand } from './commands/tasks.command.js';
import { triggerCommand } from './commands/trigger.command.js';
import { validateCommand } from './commands/validate.command.js';
import { workflowsCommand } from './commands/workflows.command.js';
import { DEV_KEYS_FILE } from './dev-keys.js';
import { ExitCode, UsageError } from './exit-codes.js';
import { commandHelp, generalHelp, usageLine } from './help.js';
import { println, stylizeFor, type Io } from './output.js';
import { batonVersion } from './version.js';

export const COMMANDS: Command[] = [
  validateCommand,
  publishCommand,
  promoteCommand,
  workflowsCommand,
  triggerCommand,
  runsCommand,
  runCommand,
  cancelCommand,
  tasksCommand,
  taskCommand,
  approveCommand,
  rejectCommand,
  statsCommand,
  backtestCommand,
  stepValueCommand,
  deadLettersCommand,
  casesCommand,
  devCommand,
];

/**
 * The process's own streams, environment and working directory. `npm run baton` runs in the
 * repository root; relative paths then resolve from where npm was started (INIT_CWD).
 */
export function processIo(): Io {
  const env = process.env;
  const cwd =
    env['npm_lifecycle_event'] === 'baton' && env['INIT_CWD'] ? env['INIT_CWD'] : process.cwd();
  return { stdout: process.stdout, stderr: process.stderr, env, cwd };
}

/** Runs one command line; resolves to the exit code (never throws). */
export async function main(argv: string[], io: Io = processIo()): Promise<ExitCode> {
  const errors = stylizeFor(io.stderr, io.env);
  let json = false;
  let key: string | undefined;
  try {
    // Development keys (.baton/dev-keys.env) only for a real process, never a test's own env.
    const devKeys = io.env === process.env ? DEV_KEYS_FILE : undefined;
    const parsed = parseCommandLine(argv, COMMANDS, io.env, devKeys);
    if (parsed.kind === 'version') {
      println(io.stdout, `baton ${batonVersion()}`);
      return ExitCode.Ok;
    }
    if (parsed.kind === 'help') {
      const lines = parsed.command ? commandHelp(parsed.command) : generalHelp(COMMANDS);
      println(parsed.explicit ? io.stdout : io.stderr, ...lines);
      return parsed.explicit ? ExitCode.Ok : ExitCode.Usage;
    }
    ({ json, key } = parsed.globals);
    const client = new ApiClient({
      triggerUrl: parsed.globals.triggerUrl,
      escalationUrl: parsed.globals.escalationUrl,
      key: parsed.globals.key,
      ...(io.fetch ? { fetch: io.fetch } : {}),
    });
    return await parsed.command.run({
      options: parsed.options,
      positionals: parsed.positionals,
      globals: parsed.globals,
      io,
      style: stylizeFor(io.stdout, io.env),
      client,
    });
  } catch (error) {
    if (error instanceof UsageError) {
      const command = COMMANDS.find((c) => c.name === error.command);
      println(io.stderr, `${errors('red', 'error:')} ${error.message}`);
      println(
        io.stderr,
        command
          ? `usage: ${usageLine(command)}  (baton ${command.name} --help)`
          : 'usage: baton <command> [arguments] [options]  (baton --help)',
      );
      return ExitCode.Usage;
    }
    if (error instanceof ApiError) {
      // --json: the API's error answer on stdout, as the API gave it.
      if (json) println(io.stdout, JSON.stringify(error.body, null, 2));
      const code = error.code ? ` ${error.code}` : '';
      println(io.stderr, `${errors('red', 'error:')} HTTP ${error.status}${code}`);
      println(io.stderr, ...error.problems.map((problem) => `  ${problem}`));
      const hint = keyHint(error.status, key !== undefined);
      if (hint) println(io.stderr, errors('dim', hint));
      return ExitCode.Failed;
    }
    if (error instanceof UnreachableError) {
      println(io.stderr, `${errors('red', 'error:')} ${error.message}`);
      println(
        io.stderr,
        errors(
          'dim',
          'is it running? (`npm start`) Point elsewhere with --trigger-url / --escalation-url or BATON_TRIGGER_URL / BATON_ESCALATION_URL',
        ),
      );
      return ExitCode.Unreachable;
    }
    println(
      io.stderr,
      `${errors('red', 'error:')} ${error instanceof Error ? error.stack : String(error)}`,
    );
    return ExitCode.Failed;
  }
}

function keyHint(status: number, keyGiven: boolean): string | undefined {
  if (status === 401) {
    return keyGiven
      ? 'the API key (BATON_API_KEY or --key) is not known to the service'
      : 'no API key: pass --key <key> or set BATON_API_KEY (`npm run api-key -- <name> <role>` makes one)';
  }
  if (status === 403) {
    return "the key's role may not do this: starting runs needs publisher, reading runs and tasks needs reviewer, publishing workflows needs admin; admin may do all";
  }
  return undefined;
}

if (import.meta.main) {
  process.exitCode = await main(process.argv.slice(2));
}
