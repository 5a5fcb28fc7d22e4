import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Run } from '../api-types.js';
import type { CommandContext } from '../command.js';
import { UsageError } from '../exit-codes.js';
import { formatTimeline } from '../format/timeline.js';
import { println } from '../output.js';

/**
 * A JSON object given inline (`'{"a":1}'`) or from a file (`@event.json`, relative to the
 * working directory). Anything else is a usage error naming the option.
 */
export function readJsonObject(
  value: string,
  option: string,
  command: string,
  cwd: string,
): Record<string, unknown> {
  let text = value;
  let from = 'the value';
  if (value.startsWith('@')) {
    const file = resolve(cwd, value.slice(1));
    from = value.slice(1);
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      const code = (error as { code?: string }).code;
      throw new UsageError(
        `--${option} ${value}: cannot read ${file}${code === 'ENOENT' ? ' (no such file)' : ''}`,
        command,
      );
    }
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UsageError(
      `--${option}: ${from} is not JSON (${(error as Error).message}); write JSON or @file.json`,
      command,
    );
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new UsageError(`--${option}: expected a JSON object ({ … })`, command);
  }
  return parsed as Record<string, unknown>;
}

/** A whole number within bounds, or a usage error naming the option. */
export function readInteger(
  value: string | boolean | undefined,
  option: string,
  command: string,
  { min, max }: { min: number; max: number },
): number | undefined {
  if (value === undefined || typeof value === 'boolean') return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max) {
    throw new UsageError(`--${option}: expected a whole number from ${min} to ${max}`, command);
  }
  return n;
}

/** One of the allowed values, or a usage error listing them. */
export function readChoice(
  value: string | boolean | undefined,
  option: string,
  command: string,
  allowed: readonly string[],
): string | undefined {
  if (value === undefined || typeof value === 'boolean') return undefined;
  if (!allowed.includes(value)) {
    throw new UsageError(`--${option}: expected one of ${allowed.join(', ')}`, command);
  }
  return value;
}

/** A required string option. */
export function requireString(
  value: string | boolean | undefined,
  option: string,
  command: string,
  hint = `<${option}>`,
): string {
  if (typeof value !== 'string' || !value.trim()) {
    throw new UsageError(`--${option} ${hint} is required`, command);
  }
  return value;
}

export function optionalString(value: string | boolean | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** `--json`: the API's JSON as it came, and nothing else on stdout. */
export function printJson(context: CommandContext, body: unknown): void {
  println(context.io.stdout, JSON.stringify(body, null, 2));
}

/** A run: its JSON with `--json`, else its timeline. */
export function showRun(context: CommandContext, run: Run): void {
  if (context.globals.json) printJson(context, run);
  else
    println(context.io.stdout, ...formatTimeline(run, { style: context.style, now: new Date() }));
}
