import { styleText } from 'node:util';

/** Where a command writes, and whether it may use colours and a spinner. */
export interface Io {
  stdout: Writable;
  stderr: Writable;
  env: NodeJS.ProcessEnv;
  /** Relative paths (`--data @event.json`, `validate workflows`) resolve from here. */
  cwd: string;
  /** Replaces the global fetch (tests). */
  fetch?: typeof fetch;
  /** Replaces the pause between polls (tests). */
  sleep?: (ms: number) => Promise<void>;
  /** The time, ms since the epoch; tests give a clock their `sleep` moves. */
  now?: () => number;
}

export interface Writable {
  write(text: string): unknown;
  isTTY?: boolean;
}

export type Style = 'bold' | 'dim' | 'red' | 'green' | 'yellow' | 'cyan' | 'magenta';
/** Applies a style, or returns the text as it is when colours are off. */
export type Stylize = (style: Style | Style[], text: string) => string;

export const plain: Stylize = (_style, text) => text;

/** Colours only on a terminal, and never with NO_COLOR set (https://no-color.org). */
export function stylizeFor(stream: Writable, env: NodeJS.ProcessEnv): Stylize {
  const enabled = stream.isTTY === true && !env['NO_COLOR'] && env['TERM'] !== 'dumb';
  if (!enabled) return plain;
  return (style, text) => styleText(style, text, { validateStream: false });
}

/** Writes lines to a stream. */
export function println(stream: Writable, ...lines: string[]): void {
  stream.write(lines.map((line) => `${line}\n`).join(''));
}
