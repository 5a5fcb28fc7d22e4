import { CONSOLE_DEFAULT_PORT, CONSOLE_NAME, startConsole } from './start-console.js';

/**
 * The console as embedded mode runs it beside the six services: not a kit service (no
 * database, no broker, no messages), a web app in front of their HTTP APIs.
 */
export const consoleService = {
  name: CONSOLE_NAME,
  defaultPort: CONSOLE_DEFAULT_PORT,
  start: startConsole,
} as const;
