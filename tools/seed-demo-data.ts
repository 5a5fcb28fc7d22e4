// `npm run seed:demo`: the example workflows' demo business data (workflows/_shared/*.sql, then
// each workflows/<id>/seed.sql) into the Postgres at BUSINESS_DATABASE_URL, else DATABASE_URL.
// The same seeding as `npm start` and `npm run start:distributed` (seedBusinessData: idempotent,
// safe to run again); `docker compose --profile services up` runs it once before the services.
import { seedBusinessData, seedFiles } from '@baton/testing';
import { postgresAddress } from './start-banner.js';

const url = process.env['BUSINESS_DATABASE_URL'] || process.env['DATABASE_URL'];
if (!url) {
  process.stderr.write(
    'seed:demo needs the Postgres to seed: BUSINESS_DATABASE_URL, else DATABASE_URL\n',
  );
  process.exit(78);
}
await seedBusinessData(url);
process.stdout.write(
  `demo data: ${seedFiles().length} seed files into ${postgresAddress(url) ?? 'the database'}\n`,
);
