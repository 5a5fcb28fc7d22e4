import { describe, expect, it } from 'vitest';
import { DEFAULT_ESCALATION_URL, DEFAULT_TRIGGER_URL, parseCommandLine } from './cli-args.js';
import { UsageError } from './exit-codes.js';
import { COMMANDS } from './main.js';

const parse = (argv: string[], env: NodeJS.ProcessEnv = {}) =>
  parseCommandLine(argv, COMMANDS, env);

function usageError(argv: string[]): UsageError {
  try {
    parse(argv);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return error as UsageError;
  }
  throw new Error(`expected ${argv.join(' ')} to be a usage error`);
}

describe(parseCommandLine.name, () => {
  it('reads the command, its positionals and options, and the defaults of the globals', () => {
    const parsed = parse(['runs', '--status', 'failed', '--limit', '5']);
    expect(parsed).toMatchObject({
      kind: 'run',
      command: { name: 'runs' },
      options: { status: 'failed', limit: '5', workflow: undefined },
      positionals: [],
      globals: {
        json: false,
        triggerUrl: DEFAULT_TRIGGER_URL,
        escalationUrl: DEFAULT_ESCALATION_URL,
        key: undefined,
      },
    });
  });

  it('takes global options before or after the command, over the environment', () => {
    const env = {
      BATON_API_KEY: 'from-env',
      BATON_TRIGGER_URL: 'http://trigger.internal:80',
      BATON_ESCALATION_URL: 'https://escalation.internal',
    };
    const before = parse(['--key', 'from-flag', '--json', 'run', 'r-1'], env);
    const after = parse(['run', 'r-1', '--json', '--key=from-flag'], env);
    for (const parsed of [before, after]) {
      expect(parsed).toMatchObject({
        kind: 'run',
        command: { name: 'run' },
        positionals: ['r-1'],
        globals: {
          json: true,
          key: 'from-flag',
          triggerUrl: 'http://trigger.internal:80',
          escalationUrl: 'https://escalation.internal',
        },
      });
    }
    expect(parse(['tasks'], env)).toMatchObject({ globals: { key: 'from-env' } });
  });

  it('passes every path to a variadic command', () => {
    expect(parse(['validate', 'a.yaml', 'workflows'])).toMatchObject({
      positionals: ['a.yaml', 'workflows'],
    });
  });

  it('answers help for no command, --help, help <command> and <command> --help', () => {
    expect(parse([])).toEqual({ kind: 'help', explicit: false });
    expect(parse(['--help'])).toEqual({ kind: 'help', explicit: true });
    expect(parse(['help', 'trigger'])).toMatchObject({
      kind: 'help',
      explicit: true,
      command: { name: 'trigger' },
    });
    // --help wins over a missing argument: help for a command never needs its arguments.
    expect(parse(['cancel', '--help'])).toMatchObject({
      kind: 'help',
      command: { name: 'cancel' },
    });
  });

  it('answers --version without a command; a command keeps its own --version', () => {
    expect(parse(['--version'])).toEqual({ kind: 'version' });
    expect(parse(['--json', '--version'])).toEqual({ kind: 'version' });
    // trigger's --version <n> pins a workflow version.
    expect(
      parse(['trigger', 'billing-dispute', '--tenant', 'acme', '--data', '{}', '--version', '2']),
    ).toMatchObject({ kind: 'run', command: { name: 'trigger' }, options: { version: '2' } });
    expect(usageError(['runs', '--version']).message).toBe('unknown option --version');
  });

  it('refuses unknown commands and options, missing and extra arguments, and values', () => {
    expect(usageError(['rnu']).message).toBe('unknown command "rnu"');
    expect(usageError(['tsk', 'x']).message).toBe('unknown command "tsk"');
    expect(usageError(['tas']).message).toBe('unknown command "tas" (did you mean tasks or task?)');
    expect(usageError(['runs', '--stauts', 'failed'])).toMatchObject({
      message: 'unknown option --stauts',
      command: 'runs',
    });
    expect(usageError(['run'])).toMatchObject({ message: 'missing <run-id>', command: 'run' });
    expect(usageError(['run', 'a', 'b']).message).toBe('unexpected argument "b"');
    expect(usageError(['cancel', 'r-1', '--reason']).message).toBe('--reason needs a value');
    expect(usageError(['cancel', 'r-1', '--reason=']).message).toBe('--reason needs a value');
    expect(usageError(['runs', '--json=yes']).message).toMatch(/--json/);
  });

  it('refuses service URLs that are not http(s) URLs', () => {
    expect(usageError(['runs', '--trigger-url', 'localhost:3000']).message).toBe(
      '--trigger-url: "localhost:3000" is not an http(s) URL',
    );
    expect(() => parse(['tasks'], { BATON_ESCALATION_URL: 'not a url' })).toThrow(
      '--escalation-url: "not a url" is not a URL (http://host:port)',
    );
  });
});
