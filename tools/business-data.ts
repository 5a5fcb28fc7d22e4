// The demo billing system the billing-dispute workflow works on, seeded idempotently.
import { readFileSync } from 'node:fs';
import pg from 'pg';

const SEED = new URL('../workflows/billing-dispute/seed.sql', import.meta.url);

export async function seedBusinessData(databaseUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock(hashtext($1))', ['baton:seed:billing']);
    await client.query(readFileSync(SEED, 'utf8'));
    await client.query('SELECT pg_advisory_unlock(hashtext($1))', ['baton:seed:billing']);
  } finally {
    await client.end();
  }
}
