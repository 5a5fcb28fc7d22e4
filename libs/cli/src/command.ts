import type { ApiClient } from './api-client.js';
import type { ExitCode } from './exit-codes.js';
import type { Io, Stylize } from './output.js';

export interface OptionSpec {
  type: 'string' | 'boolean';
  /** One line for `--help`. */
  description: string;
  /** The value's name in `--help` (`--status <status>`). */
  valueName?: string;
}

export interface PositionalSpec {
  name: string;
  /** Several values (`validate <path>...`); at least one. */
  variadic?: boolean;
  /** May be left out (`stats [workflow]`); only the last positionals may be optional. */
  optional?: boolean;
}

/** The options every command takes. */
export interface Globals {
  json: boolean;
  triggerUrl: string;
  escalationUrl: string;
  key: string | undefined;
}

export interface CommandContext {
  /** The command's own options (strings and booleans as given). */
  options: Record<string, string | boolean | undefined>;
  /** The command's positionals, in order (all of them for a variadic command). */
  positionals: string[];
  globals: Globals;
  io: Io;
  /** Colours for stdout (none unless stdout is a terminal). */
  style: Stylize;
  client: ApiClient;
}

export interface Command {
  name: string;
  /** One line in `baton --help`. */
  summary: string;
  positionals: PositionalSpec[];
  options: Record<string, OptionSpec>;
  /** More lines for `baton <command> --help`. */
  details?: string[];
  examples: string[];
  run(context: CommandContext): Promise<ExitCode>;
}
