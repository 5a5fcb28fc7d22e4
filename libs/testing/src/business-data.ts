// The demo business systems (one schema per workflow: `billing`, `intake`, `crm`, `helpdesk`,
// `briefing`, and the shared `knowledge` document store) and workflow definitions, for tests,
// the e2e harness and `npm start`.
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { inProcessConnection } from '@baton/persistence';
import { parse as parseYaml } from 'yaml';
import { REPO_ROOT, testDatabaseUrl } from './infra/environment.js';

const WORKFLOWS = `${REPO_ROOT}workflows/`;
const BILLING = `${WORKFLOWS}billing-dispute/`;
// Seeds every workflow may rely on (the `knowledge` document store): they run first.
const SHARED = `${WORKFLOWS}_shared/`;

/**
 * The seed files, in the order they run: `workflows/_shared/*.sql` (sorted), then every
 * `workflows/<id>/seed.sql` by folder name. A workflow's seed may use what the shared seeds
 * and the seeds of folders sorting before it create (weekly-briefing's credits need billing).
 */
export function seedFiles(): string[] {
  const shared = existsSync(SHARED)
    ? readdirSync(SHARED)
        .filter((name) => name.endsWith('.sql'))
        .sort()
        .map((name) => join(SHARED, name))
    : [];
  const own = readdirSync(WORKFLOWS, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && entry.name !== '_shared')
    .map((entry) => join(WORKFLOWS, entry.name, 'seed.sql'))
    .filter((file) => existsSync(file))
    .sort();
  return [...shared, ...own];
}

/**
 * Creates and seeds the business schemas of every workflow (idempotent: `CREATE … IF NOT
 * EXISTS`, `ON CONFLICT DO NOTHING`, fixed values; concurrent callers take turns).
 */
export async function seedBusinessData(databaseUrl: string = testDatabaseUrl()): Promise<void> {
  const client = new pg.Client({
    connectionString: databaseUrl,
    ...inProcessConnection(databaseUrl), // the embedded PGlite of this process, if it is one
  });
  await client.connect();
  try {
    // Concurrent CREATE … IF NOT EXISTS can still collide in the catalog: serialise seeding.
    await client.query(`SELECT pg_advisory_lock(hashtext('baton:seed:billing'))`);
    for (const file of seedFiles()) {
      try {
        await client.query(readFileSync(file, 'utf8'));
      } catch (error) {
        throw new Error(
          `seeding ${file.slice(REPO_ROOT.length)} failed: ${(error as Error).message}`,
          {
            cause: error,
          },
        );
      }
    }
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

/**
 * The billing-dispute definition with other context sources. The guards that read evidence
 * these sources do not give (its checks and effect limits on `evidence.invoices`) are left
 * out, as the loader would refuse them: such a variant tests context, not guardrails.
 */
export function billingWorkflowWithSources(
  id: string,
  sources: unknown[],
): Record<string, unknown> & { context: { sources: unknown[] } } {
  const base = billingWorkflow() as ReturnType<typeof billingWorkflow> & {
    validation: { checks: unknown[] };
    tools: Array<Record<string, unknown>>;
  };
  const names = new Set(sources.map((source) => (source as { name?: unknown }).name));
  const readsMissing = (value: unknown) =>
    [...JSON.stringify(value).matchAll(/evidence\.([a-z][a-z0-9_]*)/g)].some(
      (match) => !names.has(match[1]),
    );
  return {
    ...base,
    id,
    context: { sources },
    validation: {
      ...base.validation,
      checks: base.validation.checks.filter((c) => !readsMissing(c)),
    },
    tools: base.tools.map((tool) => {
      const { limits, ...rest } = tool;
      return readsMissing(limits ?? []) ? rest : tool;
    }),
  };
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
