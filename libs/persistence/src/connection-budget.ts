import type { DataSource } from 'typeorm';

/** How many connections a process may open, and how they are split between its pools. */
export interface ConnectionBudget {
  /** All pools together: what the process may hold at once. */
  total: number;
  /** Its own schema's pool (inbox, outbox, its tables). */
  baton: number;
  /** The business database's pool (context and action services); 0 for the others. */
  business: number;
}

export interface BudgetInput {
  /** BATON_DB_CONNECTIONS; 0: derived from the in-flight limit. */
  connections: number;
  /** DATABASE_POOL_SIZE; 0: derived. */
  poolSize: number;
  /** BUSINESS_DATABASE_POOL_SIZE; 0: derived. */
  businessPoolSize: number;
  /** BATON_CONCURRENCY: every in-flight record holds a connection. */
  concurrency: number;
  /** Whether the process opens a business database pool. */
  business: boolean;
}

export type Budgeted = { ok: true; budget: ConnectionBudget } | { ok: false; problems: string[] };

const DEFAULT_BUSINESS_POOL = 10;

/**
 * The pools of one process from its connection budget. Explicit pool sizes win but must fit
 * the budget; derived ones share it (the business pool a quarter, at least 2). A pool smaller
 * than the in-flight limit is allowed (the messaging runtime warns: it caps what runs at once).
 */
export function connectionBudget(input: BudgetInput): Budgeted {
  const { connections, concurrency } = input;
  if (connections === 0) {
    const baton = input.poolSize || concurrency + 4;
    const business = input.business ? input.businessPoolSize || DEFAULT_BUSINESS_POOL : 0;
    return { ok: true, budget: { total: baton + business, baton, business } };
  }
  const business = input.business
    ? input.businessPoolSize || Math.max(2, Math.floor(connections / 4))
    : 0;
  const baton = input.poolSize || connections - business;
  if (baton + business > connections) {
    return {
      ok: false,
      problems: [
        `DATABASE_POOL_SIZE ${baton}${input.business ? ` + BUSINESS_DATABASE_POOL_SIZE ${business}` : ''} is more than BATON_DB_CONNECTIONS ${connections}: raise the budget or lower the pools (0 derives them from the budget)`,
      ],
    };
  }
  if (baton < 2) {
    return {
      ok: false,
      problems: [
        `BATON_DB_CONNECTIONS ${connections} leaves ${baton} connection(s) for the service's own pool${input.business ? ` after ${business} for the business database` : ''}; it needs at least 2`,
      ],
    };
  }
  return { ok: true, budget: { total: baton + business, baton, business } };
}

/** What a Postgres server allows: connections for ordinary roles, and how many are open. */
export interface ServerCapacity {
  maxConnections: number;
  reserved: number;
  open: number;
}

/** Reads the server's connection limits through an open data source. */
export async function serverCapacity(dataSource: DataSource): Promise<ServerCapacity> {
  const [row] = (await dataSource.query(
    `SELECT current_setting('max_connections')::int AS max,
            current_setting('superuser_reserved_connections')::int
              + coalesce(nullif(current_setting('reserved_connections', true), '')::int, 0) AS reserved,
            (SELECT count(*)::int FROM pg_stat_activity WHERE backend_type = 'client backend') AS open`,
  )) as Array<{ max: number; reserved: number; open: number }>;
  return { maxConnections: row!.max, reserved: row!.reserved, open: row!.open };
}

/**
 * Whether a budget can fit the server: fatal when it is more than the server can ever give
 * ordinary roles; a warning when it does not fit next to the connections already open (other
 * processes' pools may be full when this one needs its own).
 */
export function capacityProblem(
  budget: Pick<ConnectionBudget, 'total'>,
  server: ServerCapacity,
  where: string,
): { fatal?: string; warning?: string } {
  const allowed = server.maxConnections - server.reserved;
  if (budget.total > allowed) {
    return {
      fatal: `BATON_DB_CONNECTIONS: this process may open ${budget.total} connections to ${where}, which allows ${allowed} (max_connections ${server.maxConnections} − ${server.reserved} reserved); lower BATON_DB_CONNECTIONS or raise max_connections`,
    };
  }
  if (budget.total + server.open > allowed) {
    return {
      warning: `this process may open ${budget.total} connections to ${where}; ${server.open} are open already and the server allows ${allowed} (max_connections ${server.maxConnections} − ${server.reserved} reserved): with every pool full, some connections will be refused and waited out`,
    };
  }
  return {};
}

/**
 * One installation's connection budget split between its processes by weight (the services
 * with a business pool need more), each share a whole number and the shares never more than
 * the total. A share below `minimum` makes the split impossible: the caller says so.
 */
export function splitConnections<K extends string>(
  total: number,
  weights: Readonly<Record<K, number>>,
  minimum = 4,
): { ok: true; shares: Record<K, number> } | { ok: false; problem: string } {
  const entries = Object.entries(weights) as Array<[K, number]>;
  const sum = entries.reduce((acc, [, weight]) => acc + weight, 0);
  const shares = Object.fromEntries(
    entries.map(([key, weight]) => [key, Math.floor((total * weight) / sum)]),
  ) as Record<K, number>;
  const smallest = Math.min(...Object.values<number>(shares));
  if (smallest < minimum) {
    return {
      ok: false,
      problem: `${total} connections for ${entries.length} processes leaves ${smallest} for one of them; each needs at least ${minimum}`,
    };
  }
  return { ok: true, shares };
}
