import { pino, type Logger, type LoggerOptions } from 'pino';
import { redactQuoted, safeError } from './safe-error.js';
import { activeTraceIds } from './trace-context.js';

export type { Logger } from 'pino';

/** Paths never written to logs: credentials and personal data. */
export const REDACTED_PATHS = [
  'password',
  '*.password',
  'apiKey',
  '*.apiKey',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'req.headers.authorization',
  'token',
  '*.token',
  'secret',
  '*.secret',
  '*.email',
  '*.phone',
  'databaseUrl',
];

export interface LoggerSettings {
  service: string;
  version: string;
  level?: string;
  destination?: pino.DestinationStream;
}

/**
 * JSON logs with service, version, and the active trace and span ids on every line. Errors
 * logged as `err` (or `error`) go through safeError: no statement parameters, no quoted values.
 */
export function createLogger(settings: LoggerSettings): Logger {
  const options: LoggerOptions = {
    level: settings.level ?? process.env['LOG_LEVEL'] ?? 'info',
    base: { service: settings.service, version: settings.version, pid: process.pid },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    serializers: {
      err: safeError,
      // An `error` field may be an Error or the text of one (a tool's failure, a refusal).
      error: (value: unknown) =>
        typeof value === 'string'
          ? redactQuoted(value)
          : value instanceof Error
            ? safeError(value)
            : value,
    },
    mixin: () => activeTraceIds(),
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  };
  return settings.destination ? pino(options, settings.destination) : pino(options);
}
