// The console on its own process, in front of a distributed Baton: BATON_TRIGGER_URL,
// BATON_ESCALATION_URL and the same BATON_API_KEYS as the services.
import { StartFailure } from '@baton/service-kit';
import { startConsole } from './start-console.js';

// A failed start has said why (one fatal line); exit with its code.
const running = await startConsole(process.env).catch((error: unknown) =>
  process.exit(error instanceof StartFailure ? error.exitCode : 1),
);
const stop = () =>
  void running.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
