import { pino, type Logger, type LoggerOptions } from 'pino';
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

/** JSON logs with service, version, and the active trace and span ids on every line. */
export function createLogger(settings: LoggerSettings): Logger {
  const options: LoggerOptions = {
    level: settings.level ?? process.env['LOG_LEVEL'] ?? 'info',
    base: { service: settings.service, version: settings.version, pid: process.pid },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    mixin: () => activeTraceIds(),
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  };
  return settings.destination ? pino(options, settings.destination) : pino(options);
}
