/**
 * Errors as logs may hold them: what failed and where, never the data it failed on. Database
 * errors carry the statement's parameters (customer names, messages, reply bodies) and a
 * `detail` that quotes the row; error messages quote values (`invalid input syntax for type
 * integer: "…"`, `Unexpected token 'H', "Hello, I w"... is not valid JSON`). The logger's
 * `err` serializer keeps the error's name, its message with quoted text replaced, its code and
 * the schema names a database error gives (constraint, table, column), its stack frames and
 * its cause — and drops every other field.
 */

/** A serialized error, as it appears in a log line. */
export interface SafeError {
  type: string;
  message: string;
  stack?: string;
  code?: string;
  constraint?: string;
  table?: string;
  column?: string;
  routine?: string;
  cause?: SafeError;
}

// Single quotes only where they open and close (not an apostrophe inside a word: "Baton's").
const QUOTED =
  /"(?:[^"\\]|\\.)*"|(?<![\p{L}\p{N}])'(?:[^'\\]|\\.)*'(?![\p{L}\p{N}])|`(?:[^`\\]|\\.)*`/gu;
const NAME = /^[A-Za-z_$][\w$.-]{0,79}$/;
const CODE = /^[\w.-]{1,40}$/;
/** Database error fields that name schema objects, not data. */
const SCHEMA_FIELDS = ['constraint', 'table', 'column', 'routine'] as const;

/** `text` with every quoted part replaced by `"…"`: quoted parts are where messages put values. */
export function redactQuoted(text: string): string {
  return text.replace(QUOTED, '"…"');
}

export function safeError(error: unknown, depth = 0): SafeError {
  if (!(error instanceof Error)) {
    return { type: typeof error, message: '(not an Error: its value is not logged)' };
  }
  const type = NAME.test(error.name) ? error.name : 'Error';
  const message = redactQuoted(error.message).slice(0, 500);
  const out: SafeError = { type, message };
  const frames = error.stack?.split('\n').filter((line) => /^\s+at /.test(line));
  if (frames?.length) out.stack = [`${type}: ${message}`, ...frames.slice(0, 20)].join('\n');
  const fields = error as unknown as Record<string, unknown>;
  const driver = (fields['driverError'] ?? {}) as Record<string, unknown>;
  const code = fields['code'] ?? driver['code'];
  if (typeof code === 'string' && CODE.test(code)) out.code = code;
  for (const field of SCHEMA_FIELDS) {
    const value = fields[field] ?? driver[field];
    if (typeof value === 'string' && NAME.test(value)) out[field] = value;
  }
  if (error.cause !== undefined && depth < 3) out.cause = safeError(error.cause, depth + 1);
  return out;
}
