import { GLOBAL_OPTIONS } from './cli-args.js';
import type { Command, OptionSpec } from './command.js';

/** `baton --help`: every command in one line each, the global options, the exit codes. */
export function generalHelp(commands: Command[]): string[] {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'baton: validate workflow definitions, trigger and follow runs, review tasks',
    '',
    'Usage: baton <command> [arguments] [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Global options:',
    ...optionLines(GLOBAL_OPTIONS),
    '',
    'Exit codes: 0 ok, 1 failed or invalid, 2 usage error, 3 cannot reach the service.',
    'Run `baton <command> --help` for its options and examples; docs/cli.md has more.',
    '`baton --version` prints the version.',
  ];
}

/** `baton <command> --help`. */
export function commandHelp(command: Command): string[] {
  const lines = [`baton ${command.name}: ${command.summary}`, '', `Usage: ${usageLine(command)}`];
  if (command.details?.length) lines.push('', ...command.details);
  if (Object.keys(command.options).length) {
    lines.push('', 'Options:', ...optionLines(command.options));
  }
  lines.push('', 'Global options:', ...optionLines(GLOBAL_OPTIONS));
  if (command.examples.length)
    lines.push('', 'Examples:', ...command.examples.map((e) => `  ${e}`));
  return lines;
}

export function usageLine(command: Command): string {
  const positionals = command.positionals.map((p) =>
    p.optional ? `[${p.name}]` : `<${p.name}>${p.variadic ? '...' : ''}`,
  );
  const options = Object.keys(command.options).length ? ['[options]'] : [];
  return ['baton', command.name, ...positionals, ...options].join(' ');
}

function optionLines(options: Record<string, OptionSpec>): string[] {
  const names = Object.entries(options).map(
    ([name, spec]) => `--${name}${spec.type === 'string' ? ` <${spec.valueName ?? 'value'}>` : ''}`,
  );
  const width = Math.max(...names.map((n) => n.length));
  return Object.values(options).map(
    (spec, i) => `  ${names[i]!.padEnd(width)}  ${spec.description}`,
  );
}
