// Baton in one process (embedded mode), without demo data: `node --import
// ./tools/ts-register.mjs services/embedded/src/main.ts`. `npm start` (tools/start.ts) runs
// the same with the example workflows' business data and development keys.
import { startEmbeddedBaton, stopOnSignals } from './embedded-baton.js';

const baton = await startEmbeddedBaton();
stopOnSignals(baton);
baton.logger.info(
  { services: baton.services, transport: baton.transport, database: baton.database },
  'Baton is up (embedded mode)',
);
