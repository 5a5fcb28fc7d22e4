// Baton in one process (embedded mode), without demo data: `node --import
// ./tools/ts-register.mjs services/embedded/src/main.ts`. `npm start` (tools/start.ts) runs
// the same with the example workflows' business data and development keys.
import { StartFailure } from '@baton/service-kit';
import { startEmbeddedBaton, stopOnSignals } from './embedded-baton.js';

// A service that could not start has said why (one fatal line); exit with its code.
const baton = await startEmbeddedBaton().catch((error: unknown) =>
  process.exit(error instanceof StartFailure ? error.exitCode : 1),
);
stopOnSignals(baton);
baton.logger.info(
  { services: baton.services, transport: baton.transport, database: baton.database },
  'Baton is up (embedded mode)',
);
