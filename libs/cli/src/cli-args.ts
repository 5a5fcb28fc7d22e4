import { parseArgs } from 'node:util';
import type { Command, Globals, OptionSpec } from './command.js';
import { useDevKeys } from './dev-keys.js';
import { UsageError } from './exit-codes.js';

export const DEFAULT_TRIGGER_URL = 'http://127.0.0.1:3000';
export const DEFAULT_ESCALATION_URL = 'http://127.0.0.1:3005';

/** Options every command accepts, before or after the command name. */
export const GLOBAL_OPTIONS: Record<string, OptionSpec> = {
  json: { type: 'boolean', description: "machine output: exactly the API's JSON" },
  'trigger-url': {
    type: 'string',
    valueName: 'url',
    description: `trigger service (env BATON_TRIGGER_URL, default ${DEFAULT_TRIGGER_URL})`,
  },
  'escalation-url': {
    type: 'string',
    valueName: 'url',
    description: `escalation service (env BATON_ESCALATION_URL, default ${DEFAULT_ESCALATION_URL})`,
  },
  key: {
    type: 'string',
    valueName: 'key',
    description: 'API key sent as Bearer (env BATON_API_KEY)',
  },
  help: { type: 'boolean', description: 'show help' },
};

export type ParsedCommandLine =
  /** `baton`, `baton --help`, `baton help [command]`, `baton <command> --help`. */
  | { kind: 'help'; command?: Command; explicit: boolean }
  /** `baton --version` (no command: `trigger --version <n>` pins a workflow version). */
  | { kind: 'version' }
  | {
      kind: 'run';
      command: Command;
      options: Record<string, string | boolean | undefined>;
      positionals: string[];
      globals: Globals;
    };

/**
 * Reads a command line: the command (the first word that is not a global option or its
 * value), its options and positionals, and the global options, wherever they stand.
 * Throws UsageError for an unknown command or option, a missing value or argument.
 */
export function parseCommandLine(
  argv: string[],
  commands: Command[],
  env: NodeJS.ProcessEnv,
  /** The development keys file (`npm start` writes it); none: development keys are not used. */
  devKeysFile?: string,
): ParsedCommandLine {
  const at = commandIndex(argv);
  const name = at === -1 ? undefined : argv[at];
  if (name === undefined && argv.includes('--version')) return { kind: 'version' };
  if (name === undefined || name === 'help') {
    const rest = at === -1 ? [] : argv.slice(at + 1);
    const topic = rest.find((arg) => !arg.startsWith('-'));
    if (topic === undefined) {
      return { kind: 'help', explicit: name === 'help' || argv.includes('--help') };
    }
    return { kind: 'help', command: find(commands, topic), explicit: true };
  }
  const command = find(commands, name);
  const rest = [...argv.slice(0, at), ...argv.slice(at + 1)];
  const spec = { ...GLOBAL_OPTIONS, ...command.options };
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: rest,
      options: Object.fromEntries(
        Object.entries(spec).map(([option, { type }]) => [option, { type }]),
      ),
      strict: true,
      allowPositionals: true,
    });
  } catch (error) {
    throw new UsageError(describeParseError(error), command.name);
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  if (values['help']) return { kind: 'help', command, explicit: true };

  const positionals = parsed.positionals;
  const variadic = command.positionals.some((p) => p.variadic);
  const required = command.positionals.filter((p) => !p.optional).length;
  if (positionals.length < required) {
    const missing = command.positionals[positionals.length]!;
    throw new UsageError(`missing <${missing.name}>`, command.name);
  }
  if (!variadic && positionals.length > command.positionals.length) {
    throw new UsageError(
      `unexpected argument ${JSON.stringify(positionals[command.positionals.length])}`,
      command.name,
    );
  }
  for (const [option, { type }] of Object.entries(command.options)) {
    if (type === 'string' && values[option] === '') {
      throw new UsageError(`--${option} needs a value`, command.name);
    }
  }
  const options = Object.fromEntries(
    Object.keys(command.options).map((option) => [option, values[option]]),
  );
  return {
    kind: 'run',
    command,
    options,
    positionals,
    globals: globalsOf(values, env, devKeysFile),
  };
}

function globalsOf(
  values: Record<string, string | boolean | undefined>,
  env: NodeJS.ProcessEnv,
  devKeysFile: string | undefined,
): Globals {
  const pick = (option: string, variable: string) => {
    const value = values[option];
    if (typeof value === 'string') return value;
    return env[variable] || undefined;
  };
  const triggerUrl = url(
    'trigger-url',
    pick('trigger-url', 'BATON_TRIGGER_URL') ?? DEFAULT_TRIGGER_URL,
  );
  // `npm start` wrote development keys: used for a Baton on this machine when none are set.
  if (devKeysFile && typeof values['key'] !== 'string') useDevKeys(env, triggerUrl, devKeysFile);
  return {
    json: values['json'] === true,
    triggerUrl,
    escalationUrl: url(
      'escalation-url',
      pick('escalation-url', 'BATON_ESCALATION_URL') ?? DEFAULT_ESCALATION_URL,
    ),
    key: pick('key', 'BATON_API_KEY'),
  };
}

function url(option: string, value: string): string {
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new UsageError(`--${option}: ${JSON.stringify(value)} is not a URL (http://host:port)`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new UsageError(`--${option}: ${JSON.stringify(value)} is not an http(s) URL`);
  }
  return value;
}

/** Where the command name is: skips global options and the values they take. */
function commandIndex(argv: string[]): number {
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i]!;
    if (!arg.startsWith('-')) return i;
    const option = GLOBAL_OPTIONS[arg.replace(/^--/, '')];
    if (option?.type === 'string') i += 1;
  }
  return -1;
}

function find(commands: Command[], name: string): Command {
  const command = commands.find((c) => c.name === name);
  if (!command) {
    const close = commands.filter((c) => c.name.startsWith(name.slice(0, 3))).map((c) => c.name);
    throw new UsageError(
      `unknown command ${JSON.stringify(name)}${close.length ? ` (did you mean ${close.join(' or ')}?)` : ''}`,
    );
  }
  return command;
}

/** parseArgs' messages, shortened: "Unknown option '--stauts'." and the like. */
function describeParseError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const unknown = /Unknown option '([^']+)'/.exec(message);
  if (unknown) return `unknown option ${unknown[1]}`;
  const missing = /Option '(?:-\w, )?(--[\w-]+) <value>' argument missing/.exec(message);
  if (missing) return `${missing[1]} needs a value`;
  return message.split('\n')[0]!.replace(/\.$/, '');
}
