// The demo business system (the billing-dispute workflow's `billing` schema) and workflow
// definitions, for tests, the e2e harness and `npm start`.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { parse as parseYaml } from 'yaml';
import { REPO_ROOT, testDatabaseUrl } from './infra/environment.js';

const BILLING = `${REPO_ROOT}workflows/billing-dispute/`;

/** Creates and seeds the `billing` schema (idempotent; concurrent callers take turns). */
export async function seedBusinessData(databaseUrl: string = testDatabaseUrl()): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    // Concurrent CREATE … IF NOT EXISTS can still collide in the catalog: serialise seeding.
    await client.query(`SELECT pg_advisory_lock(hashtext('baton:seed:billing'))`);
    await client.query(readFileSync(`${BILLING}seed.sql`, 'utf8'));
  } finally {
    await client
      .query(`SELECT pg_advisory_unlock(hashtext('baton:seed:billing'))`)
      .catch(() => undefined);
    await client.end();
  }
}

/** Runs one query on the business database. */
export async function businessQuery<T extends Record<string, unknown>>(
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  const client = new pg.Client({ connectionString: testDatabaseUrl() });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

/** The shipped billing-dispute definition, as plain JSON, to derive test workflows from. */
export function billingWorkflow(): Record<string, unknown> & { context: { sources: unknown[] } } {
  return parseYaml(readFileSync(`${BILLING}workflow.yaml`, 'utf8')) as ReturnType<
    typeof billingWorkflow
  >;
}

/** A temporary workflows folder holding these definitions (`<dir>/<id>/workflow.json`). */
export function writeWorkflows(workflows: Array<Record<string, unknown>>): string {
  const dir = mkdtempSync(join(tmpdir(), 'baton-workflows-'));
  for (const workflow of workflows) {
    mkdirSync(join(dir, String(workflow['id'])));
    writeFileSync(join(dir, String(workflow['id']), 'workflow.json'), JSON.stringify(workflow));
  }
  return dir;
}
