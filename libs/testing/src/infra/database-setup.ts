import { testDatabaseUrl } from './environment.js';
import { ensurePostgres } from './local-infra.js';

/**
 * Once per run of the service tier: makes sure Postgres answers (starting the local cluster if
 * it is down). Service tests run on the in-process transport, so no broker is started.
 */
export default async function setup(): Promise<void> {
  await ensurePostgres();
  process.env['DATABASE_URL'] = testDatabaseUrl();
}
